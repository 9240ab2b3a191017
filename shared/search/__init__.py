"""1:N template search: the in-memory index built by training and searched by identify / find-similar."""
from .index import EXACT_F32, PQ4FS_SQ8, TemplateIndex

__all__ = ["EXACT_F32", "PQ4FS_SQ8", "TemplateIndex"]
