from shared.services.liveness import _follows_challenge


def test_head_turn_must_start_frontal_and_go_the_asked_way():
    assert _follows_challenge([2.0, 8.0, 24.0], "turnLeft")
    assert _follows_challenge([-3.0, -10.0, -22.0], "turnRight")
    assert not _follows_challenge([2.0, -8.0, -24.0], "turnLeft")      # the wrong way
    assert not _follows_challenge([30.0, 31.0, 32.0], "turnLeft")      # already turned at the start
    assert not _follows_challenge([1.0, 3.0, 5.0], "turnRight")        # a face held still
    assert not _follows_challenge([1.0], "turnLeft")                    # one frame is no movement
