"""The sharing commands: ``serve``, ``push`` and ``export``.

A thin shell over :mod:`pcr_graph.share.endpoint` and :mod:`pcr_graph.app.tasks`;
:mod:`pcr_graph.cli.commands` registers the commands on its group.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from pcr_graph.cli.common import project_of
from pcr_graph.core.errors import UsageError

if TYPE_CHECKING:  # imported when serving, to keep `pcr-graph --help` fast
    from pcr_graph.share.endpoint import SparqlEndpoint


@click.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (0.0.0.0 exposes the graph to your network).",
)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=7879, show_default=True, help="Port (0: any)."
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Query worker processes (queries running at once).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="Seconds a query may run; then its worker is stopped and the client gets 503.",
)
@click.option(
    "--max-rows",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="Rows (or triples) per answer; longer answers are cut, with X-PCR-Truncated: true.",
)
@click.option(
    "--max-body",
    type=click.IntRange(min=1),
    default=1 << 20,
    show_default=True,
    help="Largest request body in bytes (larger: 413).",
)
@click.option(
    "--memory-limit",
    type=click.IntRange(min=768),
    default=2048,
    show_default=True,
    help="Megabytes of address space per query worker; a query needing more gets 503.",
)
@click.option(
    "--per-client",
    type=click.IntRange(min=1),
    default=None,
    help="Workers one client address may hold at once [default: all workers but one].",
)
@click.option(
    "--allow-host",
    multiple=True,
    help="A host name requests may address besides the bound address (repeatable).",
)
@click.option("--quiet", is_flag=True, help="Do not log each request to standard error.")
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    workers: int,
    timeout: float,
    max_rows: int,
    max_body: int,
    memory_limit: int,
    per_client: int | None,
    allow_host: tuple[str, ...],
    quiet: bool,
) -> None:
    """Serve the graph as a read-only SPARQL 1.1 endpoint, with a query page at /.

    GET /sparql?query=… or POST /sparql (SPARQL 1.1 Protocol); GET /sparql alone gives the
    Service Description. Answers as SPARQL JSON, CSV, TSV or XML (SELECT, ASK) or Turtle,
    N-Triples, RDF/XML, JSON-LD, N3, TriG or N-Quads (CONSTRUCT, DESCRIBE) by Accept or
    format=. SPARQL Update, SERVICE and datasets naming graphs not held are refused; query
    workers cannot open network sockets. Ctrl-C or SIGTERM stops the server.

    \b
    Example:
      pcr-graph serve --port 7879
      curl -G -H 'Accept: text/csv' http://127.0.0.1:7879/sparql \\
        --data-urlencode 'query=SELECT * { ?s ?p ?o } LIMIT 3'
    """
    from pcr_graph.share.endpoint import EndpointConfig, SparqlEndpoint
    from pcr_graph.share.endpoint.service import sigterm_as_interrupt

    config = EndpointConfig(
        host=host,
        port=port,
        workers=workers,
        timeout=timeout,
        max_rows=max_rows,
        max_body=max_body,
        memory_mb=memory_limit,
        per_client=per_client,
        allowed_hosts=allow_host,
    )

    def log(message: str) -> None:
        if not quiet:
            click.echo(message, err=True)

    endpoint = SparqlEndpoint(project_of(ctx), config, log)
    with sigterm_as_interrupt():
        _serve_until_stopped(endpoint, host, port)


def _serve_until_stopped(endpoint: SparqlEndpoint, host: str, port: int) -> None:
    try:
        url = endpoint.start()
        click.echo(f"serving {endpoint.triples} triples at {url} (SPARQL endpoint: {url}sparql)")
        click.echo("press Ctrl-C to stop", err=True)
        import sys

        sys.stdout.flush()
        endpoint.wait()
    except KeyboardInterrupt:
        click.echo("stopping", err=True)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    finally:
        endpoint.close()


@click.command("push")
@click.option(
    "--endpoint",
    "url",
    required=True,
    metavar="URL",
    help="The server: a base URL (Oxigraph: http://host:7878) or its query URL (…/query).",
)
@click.option(
    "--graph", "graph", metavar="IRI", help="Named graph to replace (default graph if absent)."
)
@click.option("--update-url", metavar="URL", help="SPARQL Update endpoint, if not BASE/update.")
@click.option("--store-url", metavar="URL", help="Graph Store endpoint, if not BASE/store.")
@click.option(
    "--retries",
    type=click.IntRange(min=0),
    default=4,
    show_default=True,
    help="Retries of a request that could not connect or got a 5xx answer (with backoff).",
)
@click.option(
    "--connect-timeout",
    type=click.FloatRange(min=0.1),
    default=10.0,
    show_default=True,
    help="Seconds to wait for a connection (then retried).",
)
@click.option(
    "--read-timeout",
    type=click.FloatRange(min=0.1),
    default=120.0,
    show_default=True,
    help="Seconds to wait for an answer once connected (never retried).",
)
@click.pass_context
def push(
    ctx: click.Context,
    url: str,
    graph: str | None,
    update_url: str | None,
    store_url: str | None,
    retries: int,
    connect_timeout: float,
    read_timeout: float,
) -> None:
    """Upload the whole graph to a SPARQL 1.1 server, replacing one graph there.

    Uploads to a temporary graph, checks it (triple count; and, under 50,000 triples, that
    the graph read back is isomorphic), then replaces the target with one MOVE and drops
    the temporary graph: a failed push leaves the target as it was. Credentials come from
    PCR_GRAPH_TOKEN (bearer) or PCR_GRAPH_USER and PCR_GRAPH_PASSWORD (basic).

    \b
    Example:
      pcr-graph push --endpoint http://127.0.0.1:7878 --graph https://example.org/pcr
    """
    from pcr_graph.app.tasks import push_project

    query_url, report = push_project(
        project_of(ctx),
        url,
        graph,
        update_url=update_url,
        store_url=store_url,
        retries=retries,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
    )
    target = "the default graph" if report.target == "default" else f"<{report.target}>"
    click.echo(
        f"pushed {report.triples} triples to {target} at {query_url} "
        f"(checked: {report.verified}; replaced by {report.replaced_by}; "
        f"{report.retries} retries)"
    )


@click.command("export")
@click.option(
    "--format",
    "fmt",
    required=True,
    type=click.Choice(["graphml", "gexf", "csv", "jsonld", "turtle", "nt", "trig"]),
    help="graphml/gexf (Gephi), csv (Neo4j/Kumu: a folder), jsonld, turtle, nt, trig.",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path),
    help="File to write (for csv: a folder for the Neo4j and Kumu CSV files).",
)
@click.option(
    "--area",
    "areas",
    multiple=True,
    help="Only this area (graphml, gexf, csv; repeatable): id, ODS or ONS code.",
)
@click.pass_context
def export_cmd(ctx: click.Context, fmt: str, output: Path, areas: tuple[str, ...]) -> None:
    """Export the graph for Gephi, Neo4j, Kumu or other RDF tools (written atomically).

    \b
    Example:
      pcr-graph export --format gexf -o network.gexf
      pcr-graph export --format csv -o neo4j/ --area wv
      pcr-graph export --format trig -o dataset.trig
    """
    from pcr_graph.app.tasks import export_project

    for path in export_project(project_of(ctx), fmt, output, areas):
        click.echo(f"wrote {path}")


COMMANDS = (serve, push, export_cmd)
"""Registered on the main group by :mod:`pcr_graph.cli.commands`."""
