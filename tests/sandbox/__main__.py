"""python -m tests.sandbox serve --seed 7 --size small|medium|large [--port N] [--out DIR]"""
from __future__ import annotations

import pathlib
import sys
import time

import click

from tests.sandbox.plan import SHAPES
from tests.sandbox.server import ADMIN_HOST, Sandbox


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """The simulated province of 政务公开 portals (nianbao test infrastructure)."""


@cli.command()
@click.option("--seed", default=7, show_default=True, help="Same seed, byte-identical site.")
@click.option("--size", type=click.Choice(list(SHAPES)), default="small", show_default=True)
@click.option("--port", default=0, show_default=True, help="0 picks a free port.")
@click.option("--out", type=click.Path(file_okay=False, path_type=pathlib.Path), default=None,
              help="Write portals.toml and ground_truth.json here (default: sandbox-out/<size>).")
@click.option("--lazy", is_flag=True, help="Serve at once and render LibreOffice documents on request "
              "(default: render them first, in batches; conversions are cached for the next run).")
@click.option("--slow-scale", default=1.0, show_default=True, help="Multiply the slow responses' delays.")
@click.option("-v", "--verbose", is_flag=True, help="List every site and its start URLs.")
def serve(seed: int, size: str, port: int, out: pathlib.Path | None, lazy: bool, slow_scale: float,
          verbose: bool) -> None:
    """Serve the province on 127.0.0.1 until interrupted."""
    started = time.monotonic()
    out = out or pathlib.Path("sandbox-out") / size
    for stale in ("portals.toml", "ground_truth.json"):  # they reappear when the server is ready
        (out / stale).unlink(missing_ok=True)
    box = Sandbox(seed, size, port=port, slow_scale=slow_scale)
    if not lazy:
        click.echo(f"rendered {box.prerender()} LibreOffice documents", err=True)
    box.start()
    try:
        reg, truth = box.write(out)
        w = box.world
        click.echo(f"sandbox: seed {seed}, size {size}: {len(w.agencies)} agencies, {len(w.reports)} reports "
                   f"on {len(w.sites)} sites (ready in {time.monotonic() - started:.1f} s)")
        click.echo(f"base URL: {box.base_url}")
        click.echo(f"registry: {reg}")
        click.echo(f"ground truth: {truth}")
        click.echo(f"admin: http://{ADMIN_HOST}:{box.port}/ (POST /change?report=ID, /publish?report=ID, /reset)")
        click.echo('resolve *.test to 127.0.0.1 (Chromium: --host-resolver-rules="MAP *.test 127.0.0.1")')
        if verbose:
            for s in w.sites:
                click.echo(f"  {s.id:24} {s.platform:7} {s.level:10} {box.url((s.old_host or s.host) + s.start_paths()[0])}")
        sys.stdout.flush()
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        box.stop()


if __name__ == "__main__":
    cli()
