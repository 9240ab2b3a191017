"""Request bodies of the recognition operations, validated with pydantic."""
from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class VerifyBody(_Body):
    face_id1: UUID | None = Field(None, alias="faceId1")
    face_id2: UUID | None = Field(None, alias="faceId2")
    face_id: UUID | None = Field(None, alias="faceId")
    person_id: UUID | None = Field(None, alias="personId")
    person_group_id: str | None = Field(None, alias="personGroupId")
    large_person_group_id: str | None = Field(None, alias="largePersonGroupId")


class FindSimilarBody(_Body):
    face_id: UUID = Field(alias="faceId")
    face_ids: list[UUID] | None = Field(None, alias="faceIds", max_length=1000)
    face_list_id: str | None = Field(None, alias="faceListId")
    large_face_list_id: str | None = Field(None, alias="largeFaceListId")
    max_candidates: int = Field(20, alias="maxNumOfCandidatesReturned", ge=1, le=1000)
    mode: Literal["matchPerson", "matchFace"] = "matchPerson"


class GroupBody(_Body):
    face_ids: list[UUID] = Field(alias="faceIds", min_length=2, max_length=1000)


class IdentifyBody(_Body):
    face_ids: list[UUID] = Field(alias="faceIds", min_length=1, max_length=10)
    person_group_id: str | None = Field(None, alias="personGroupId")
    large_person_group_id: str | None = Field(None, alias="largePersonGroupId")
    person_ids: list[str] | None = Field(None, alias="personIds", min_length=1, max_length=30)
    dynamic_person_group_id: str | None = Field(None, alias="dynamicPersonGroupId")
    max_candidates: int | None = Field(None, alias="maxNumOfCandidatesReturned", ge=1, le=100)
    confidence_threshold: float | None = Field(None, alias="confidenceThreshold", ge=0.0, le=1.0)
