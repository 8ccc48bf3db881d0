"""Deterministic local mirror of Clubic and Numerama, served on 127.0.0.1 for tests, demos and benchmarks."""

from __future__ import annotations

from crawler.mirror.corpus import Article, Corpus, build_corpus
from crawler.mirror.faults import FaultPlan
from crawler.mirror.process import MirrorProcess
from crawler.mirror.server import MirrorServer

__all__ = ["Article", "Corpus", "FaultPlan", "MirrorProcess", "MirrorServer", "build_corpus"]
