"""A shop's own pages as the bot's knowledge: sources, crawling and extraction, passages,
retrieval and answers."""

from samtale.knowledge.answers import AnswerWriter, ExtractiveWriter, KnowledgeAnswer
from samtale.knowledge.fetching import Fetcher, PageStatus
from samtale.knowledge.service import (
    AskResult,
    CrawlReport,
    KnowledgeError,
    KnowledgeService,
    PageInfo,
    SourceInfo,
    UploadedFile,
)

__all__ = [
    "AnswerWriter",
    "AskResult",
    "CrawlReport",
    "ExtractiveWriter",
    "Fetcher",
    "KnowledgeAnswer",
    "KnowledgeError",
    "KnowledgeService",
    "PageInfo",
    "PageStatus",
    "SourceInfo",
    "UploadedFile",
]
