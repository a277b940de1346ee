"""The scale command ``synth``: a synthetic England for scale tests and benchmarks.

A thin shell over :func:`pcr_graph.app.tasks.synthesise_into`;
:mod:`pcr_graph.cli.commands` registers it on its group.
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
    from pcr_graph.app.tasks import synthesise_into

    target, england = synthesise_into(project_of(ctx), providers, seed, output)
    counts = england.counts()
    click.echo(
        f"wrote {target}: {counts['providers']} providers in 42 synthetic areas, "
        f"{counts['links']} links, {counts['forums']} planning forums, "
        f"{counts['evidence']} evidence items (all synthetic)"
    )


COMMANDS = (synth,)
"""The commands to register on the main group."""
