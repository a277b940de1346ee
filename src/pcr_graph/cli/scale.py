"""The scale commands: ``synth`` (a synthetic England) and ``validate`` with a choice of
validator.

A thin shell over :mod:`pcr_graph.ingest.synth`, :mod:`pcr_graph.validation.validate` and
:mod:`pcr_graph.validation.compiled`;
:mod:`pcr_graph.cli.commands` registers the commands on its group.
This ``validate`` takes the place of the plain one: the same output and exit codes, plus
``--engine``.
"""

from __future__ import annotations

from pathlib import Path

import click

from pcr_graph.cli.common import project_of


@click.command("synth")
@click.option(
    "--providers",
    type=click.IntRange(min=1),
    default=55_000,
    show_default=True,
    help="How many providers (the real sector mix is scaled to this).",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Turtle file to write (default: the import 'synthetic-england' in the workspace, "
    "so that every later command sees it; add --no-demo to leave the demo out).",
)
@click.pass_context
def synth(ctx: click.Context, providers: int, seed: int, output: Path | None) -> None:
    """Generate a synthetic England: 42 invented areas, providers in the real sector mix.

    Every area, provider, forum, link and evidence item is invented and marked so in the
    data (named "Synthetic …", pcr:fictional true, plus a dataset description); only the
    number of providers per sector follows England's (at 55,000: about 15,000 care homes,
    12,000 home-care agencies, 6,500 GP practices, 220 NHS trusts, 153 councils). Links
    follow realistic patterns, every link cites evidence, and the result validates, runs
    every gap rule and renders every area. The same --providers and --seed give the same
    file, byte for byte. For scale tests and benchmarks; see docs/scale.md.

    \b
    Example:
      pcr-graph synth --providers 55000 --seed 1 -o england.ttl
      pcr-graph --no-demo synth --providers 10000
      pcr-graph --no-demo --store .pcr-graph/store gaps --format json -o gaps.json
    """
    from pcr_graph.ingest.synth import write_synthetic

    target = output or project_of(ctx).import_path("synthetic-england")
    england = write_synthetic(target, providers, seed)
    counts = england.counts()
    click.echo(
        f"wrote {target}: {counts['providers']} providers in 42 synthetic areas, "
        f"{counts['links']} links, {counts['forums']} planning forums, "
        f"{counts['evidence']} evidence items (all synthetic)"
    )


@click.command("validate")
@click.option(
    "--engine",
    "validator",
    type=click.Choice(["auto", "fast", "pyshacl"]),
    default="auto",
    show_default=True,
    help="fast: the shapes compiled to SPARQL and run in the store (scales to the whole "
    "country); pyshacl: the reference implementation; auto: fast, except on the rdflib "
    "engine or for shapes only pySHACL supports. Both report the same violations.",
)
@click.pass_context
def validate(ctx: click.Context, validator: str) -> None:
    """Check the ontology, graph and imports against the SHACL shapes.

    Prints one line per violation (source file or CSV row, focus node, path, message).
    Exit 0 when the data conforms, 1 when it does not, 2 on error.

    \b
    Example:
      pcr-graph validate
      pcr-graph validate --engine pyshacl
    """
    from pcr_graph.validation.validate import validate as run_validation

    store = project_of(ctx).open()
    violations = run_validation(store, validator)
    for violation in violations:
        click.echo(str(violation))
    if violations:
        click.echo(f"{len(violations)} violation(s) in {len(store)} triples", err=True)
        ctx.exit(1)
    click.echo(f"conforms: {len(store)} triples, {len(store.sources())} sources")


COMMANDS = (synth, validate)
"""The commands to register on the main group (``validate`` replaces the plain one)."""
