"""Check the built documentation in a real headless browser (Debian's Chromium, driven by playwright).

Serves ``docs/_build/html`` on 127.0.0.1, opens the index and the page that documents
``jaxsched.warmup_cosine_decay`` (math with ``\\begin{cases}`` and a build-time plot), and asserts that

- the pages load with no failed request and no request leaving localhost (MathJax is the local copy),
- MathJax typeset the math (``mjx-container`` elements, no raw ``\\begin``/``\\frac`` left in the text),
- every plot image loaded (``naturalWidth > 0``),

then saves screenshots under ``docs/_build/screenshots/`` (not committed). Exit status 1 on any failure.

Usage: ``python docs/check_site.py [--html docs/_build/html] [--chromium /usr/bin/chromium]``. Needs the
``playwright`` Python package (docs extra) and ``apt-get install chromium``; playwright never downloads a
browser here, it drives the system one.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
import threading
from pathlib import Path
from typing import Any

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
SCHEDULE_ID = "jaxsched.warmup_cosine_decay"
RAW_TEX = ("\\begin", "\\frac", "\\left(", "\\qquad")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _serve(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def _schedule_page(root: Path) -> Path:
    """The built page that documents SCHEDULE_ID (found by its anchor, wherever the family lives)."""
    for path in sorted((root / "api").glob("*.html")):
        if f'id="{SCHEDULE_ID}"' in path.read_text(encoding="utf-8"):
            return path
    raise SystemExit(f"check_site: no page documents {SCHEDULE_ID} under {root / 'api'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=Path(__file__).resolve().parent / "_build" / "html")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument(
        "--out", type=Path, default=None, help="screenshot folder (default: <html>/../screenshots)"
    )
    args = parser.parse_args(argv)
    root = args.html.resolve()
    out = (args.out or root.parent / "screenshots").resolve()
    out.mkdir(parents=True, exist_ok=True)
    if not (root / "index.html").exists():
        raise SystemExit(f"check_site: {root / 'index.html'} missing; build the docs first")
    page_path = _schedule_page(root).relative_to(root).as_posix()

    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    server, base = _serve(root)
    failures: list[str] = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=args.chromium, headless=True, args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            outside: list[str] = []
            failed: list[str] = []

            def route(r: Any) -> None:
                if r.request.url.startswith(base):
                    r.continue_()
                else:  # nothing may leave localhost: the site must work offline
                    outside.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.on("requestfailed", lambda req: failed.append(req.url))
            page.on(
                "response",
                lambda resp: (
                    resp.status >= 400
                    and not resp.url.endswith("/favicon.ico")
                    and failed.append(f"{resp.status} {resp.url}")
                ),
            )

            # The index.
            page.goto(f"{base}/index.html", wait_until="load")
            if "jaxsched" not in page.title():
                failures.append(f"index: unexpected title {page.title()!r}")
            page.screenshot(path=str(out / "index.png"))

            # A schedule page: math typeset, plots loaded.
            page.goto(f"{base}/{page_path}#{SCHEDULE_ID}", wait_until="load")
            try:
                page.wait_for_function(
                    "() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=30_000
                )
                page.evaluate("() => MathJax.startup.promise")
            except PlaywrightError as err:
                failures.append(f"{page_path}: MathJax did not load or typeset: {str(err).splitlines()[0]}")
            typeset = page.locator("mjx-container").count()
            if typeset == 0:
                failures.append(f"{page_path}: no MathJax output (mjx-container) on the page")
            text = page.locator("article").inner_text()
            raw = [t for t in RAW_TEX if t in text]
            if raw:
                failures.append(f"{page_path}: raw TeX left in the page text: {raw}")
            section = page.locator(f'dt[id="{SCHEDULE_ID}"]').locator("xpath=..")
            if section.locator("mjx-container").count() == 0:
                failures.append(f"{page_path}: {SCHEDULE_ID}'s formula is not typeset")
            images = page.locator("img.jaxsched-plot")
            widths = [
                images.nth(i).evaluate("img => img.complete ? img.naturalWidth : 0")
                for i in range(images.count())
            ]
            if not widths:
                failures.append(f"{page_path}: no plot image on the page")
            elif min(widths) <= 0:
                failures.append(f"{page_path}: {widths.count(0)} of {len(widths)} plot images did not load")
            page.locator(f'dt[id="{SCHEDULE_ID}"]').scroll_into_view_if_needed()
            page.screenshot(path=str(out / "schedule.png"))
            # The whole section: heading, signature, formula, examples and plot.
            page.locator(f'section:has(> dl > dt[id="{SCHEDULE_ID}"])').screenshot(
                path=str(out / "schedule_section.png")
            )
            if outside:
                failures.append(f"requests leaving localhost (blocked): {sorted(set(outside))[:5]}")
            if failed:
                failures.append(f"failed requests: {sorted(set(failed))[:5]}")
            browser.close()
            print(
                f"check_site: {page_path}: {typeset} typeset formulas, {len(widths)} plots "
                f"(natural widths {min(widths, default=0)}-{max(widths, default=0)} px); "
                f"screenshots in {out}"
            )
    finally:
        server.shutdown()
    for f in failures:
        print(f"check_site: FAIL: {f}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
