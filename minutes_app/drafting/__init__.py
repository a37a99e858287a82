"""Drafting the Niederschrift: agenda segmentation, vote recognition, LLM draft, checks.

Importing this package loads no model library; engines import ctranslate2,
transformers or torch on first use.
"""

from .draft import DraftOptions, draft_minutes
from .engines import EngineOptions, LLMEngine, make_engine

__all__ = ["DraftOptions", "EngineOptions", "LLMEngine", "draft_minutes", "make_engine"]
