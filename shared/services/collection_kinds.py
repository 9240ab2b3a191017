"""The four Azure collection types share one implementation; this table holds what differs."""
from __future__ import annotations

from dataclasses import dataclass

from ..api.errors import ApiError
from ..settings import Limits


@dataclass(frozen=True)
class CollectionKind:
    key: str            # storage key and internal name
    route: str          # URL segment
    id_field: str       # JSON field naming the collection id
    error_name: str     # prefix of the error codes, e.g. "LargePersonGroup" -> LargePersonGroupNotFound
    has_persons: bool
    trainable: bool
    paged: bool         # list supports start/top

    def not_found(self, status: int = 404) -> ApiError:
        return ApiError(status, f"{self.error_name}NotFound", f"{self._label()} is not found.")

    def exists(self) -> ApiError:
        return ApiError(409, f"{self.error_name}Exists", f"{self._label()} already exists.")

    def not_trained(self, status: int = 400) -> ApiError:
        return ApiError(status, f"{self.error_name}NotTrained", f"{self._label()} not trained.")

    def training_not_finished(self) -> ApiError:
        return ApiError(409, f"{self.error_name}TrainingNotFinished", f"{self._label()} is under training.")

    def _label(self) -> str:
        spaced = "".join(" " + c if c.isupper() else c for c in self.error_name).strip()
        return spaced[0] + spaced[1:].lower()

    def member_limit(self, limits: Limits) -> int:
        return {
            "facelist": limits.faces_per_face_list,
            "largefacelist": limits.faces_per_large_face_list,
            "persongroup": limits.persons_per_person_group,
            "largepersongroup": limits.persons_per_large_person_group,
        }[self.key]


FACE_LIST = CollectionKind("facelist", "facelists", "faceListId", "FaceList", False, False, False)
LARGE_FACE_LIST = CollectionKind("largefacelist", "largefacelists", "largeFaceListId", "LargeFaceList", False, True, True)
PERSON_GROUP = CollectionKind("persongroup", "persongroups", "personGroupId", "PersonGroup", True, True, True)
LARGE_PERSON_GROUP = CollectionKind(
    "largepersongroup", "largepersongroups", "largePersonGroupId", "LargePersonGroup", True, True, True
)
KINDS_BY_ROUTE = {k.route: k for k in (FACE_LIST, LARGE_FACE_LIST, PERSON_GROUP, LARGE_PERSON_GROUP)}
KINDS_BY_KEY = {k.key: k for k in KINDS_BY_ROUTE.values()}


def kind_for_route(route: str) -> CollectionKind:
    kind = KINDS_BY_ROUTE.get(route.lower())
    if kind is None:
        raise ApiError(404, "404", "Resource not found")
    return kind
