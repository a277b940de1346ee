"""``pcr-graph serve``: a read-only SPARQL 1.1 Protocol endpoint over the project's graph.

One concept a module:

- :mod:`.checks`: a query is parsed and refused if it is not one read-only query
  (update, ``SERVICE``, a dataset naming graphs not held);
- :mod:`.negotiation`: ``format=`` and ``Accept`` to an answer format;
- :mod:`.formats`: the answer writers, one per format;
- :mod:`.worker` and :mod:`.sandbox`: the worker process that runs queries, without network
  and with capped memory; :mod:`.pool`: the workers, shared fairly between clients;
- :mod:`.description`: the SPARQL 1.1 Service Description; :mod:`.page`: the HTML page;
- :mod:`.http`: the HTTP handler; :mod:`.service`: the whole service.
"""

from __future__ import annotations

from pcr_graph.share.endpoint.checks import CheckedQuery, Refused, check_query
from pcr_graph.share.endpoint.negotiation import GRAPH_FORMATS, SELECT_FORMATS, negotiate
from pcr_graph.share.endpoint.pool import WorkerPool
from pcr_graph.share.endpoint.service import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    EndpointConfig,
    SparqlEndpoint,
)
from pcr_graph.share.endpoint.worker import QueryRequest, Reply, WorkerSpec, answer

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "GRAPH_FORMATS",
    "SELECT_FORMATS",
    "CheckedQuery",
    "EndpointConfig",
    "QueryRequest",
    "Refused",
    "Reply",
    "SparqlEndpoint",
    "WorkerPool",
    "WorkerSpec",
    "answer",
    "check_query",
    "negotiate",
]
