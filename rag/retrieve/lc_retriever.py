"""The hybrid retriever behind LangChain's ``BaseRetriever`` interface, so any LangChain chain can use it."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag.retrieve.hybrid import SearchFilters, SearchHit


class ReportRetriever(BaseRetriever):
    """Returns chunks as Documents; ``metadata`` carries the citation fields (and the hit under ``hit``)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    services: Any  # a Searcher (pydantic field: kept Any so LangChain's model validation accepts it)
    k: int = 5
    mode: str | None = None
    report_ids: list[str] | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        filters = SearchFilters(report_ids=self.report_ids) if self.report_ids else None
        result = self.services.search(query, k=self.k, mode=self.mode, filters=filters)
        return [to_document(hit) for hit in result.hits]


def to_document(hit: SearchHit) -> Document:
    return Document(page_content=hit.chunk.text, metadata={**hit.to_dict(), "hit": hit})
