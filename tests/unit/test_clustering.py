import numpy as np

from shared.services.clustering import average_linkage_groups


def test_two_people_and_a_stranger():
    # faces 0-2 are one person, 3-4 another, 5 matches nobody
    conf = np.full((6, 6), 0.1)
    conf[np.ix_([0, 1, 2], [0, 1, 2])] = 0.9
    conf[np.ix_([3, 4], [3, 4])] = 0.8
    groups = sorted(sorted(g) for g in average_linkage_groups(conf, 0.5))
    assert groups == [[0, 1, 2], [3, 4], [5]]


def test_one_bridge_face_does_not_chain_two_people():
    # face 2 looks somewhat like both 0/1 and 3/4; connected components would merge all five
    conf = np.full((5, 5), 0.05)
    conf[0, 1] = conf[1, 0] = 0.95
    conf[3, 4] = conf[4, 3] = 0.95
    for other in (0, 1, 3, 4):
        conf[2, other] = conf[other, 2] = 0.55
    groups = average_linkage_groups(conf, 0.5)
    assert max(len(g) for g in groups) <= 3
    assert not any({0, 3} <= set(g) for g in groups)
