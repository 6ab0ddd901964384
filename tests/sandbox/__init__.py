"""A simulated province of 政务公开 portal sites, served on 127.0.0.1, with ground truth.

Test infrastructure for the crawler's end-to-end tests and the demo (see README.md)::

    from tests.sandbox import Sandbox, fetch
    with Sandbox(seed=7, size="small") as box:
        truth = box.ground_truth()
        page = fetch(truth["sites"][0]["start_urls"][0])
"""
from tests.sandbox.client import CHROMIUM, Client, Fetched, chromium_args, fetch
from tests.sandbox.plan import SHAPES
from tests.sandbox.server import ADMIN_HOST, Sandbox, SandboxError

__all__ = ["ADMIN_HOST", "CHROMIUM", "SHAPES", "Client", "Fetched", "Sandbox", "SandboxError",
           "chromium_args", "fetch"]
