"""What `reader` loads before its first screen is up: only what that screen needs."""

from __future__ import annotations

import json
import os
import subprocess
import sys

# Runs the `reader` command as a person starts it, headless, and reports which of the modules
# the first screen does not need were loaded once it was up, then again after the app has been
# idle past the moment the name finder's word lists are read.
SCRIPT = """
import asyncio, json, sys
from reader import app as app_module, cli

LATER = ("pysbd", "reader.text.names", "reader.screens.article", "reader.screens.review",
         "sklearn")
seen = {}

def run(self, *args, **kwargs):
    async def go():
        async with self.run_test() as pilot:
            await pilot.pause()
            seen["first screen"] = [m for m in LATER if m in sys.modules]
            seen["screen"] = type(self.screen).__name__
            await pilot.pause(app_module.WARM_AFTER + 0.2)
            await self.workers.wait_for_complete()
            from reader.text import names
            seen["warm"] = names._lexicon is not None
            import gc
            seen["collecting"] = gc.isenabled()  # off while it starts, on once it is up
    asyncio.run(go())

app_module.ReaderApp.run = run
cli.main(["--db", sys.argv[1], "--annotator", "ann"], standalone_mode=False)
print(json.dumps(seen))
"""


def _env(tmp_path, settings: str = "") -> dict[str, str]:
    config = tmp_path / "config"
    (config / "reader").mkdir(parents=True, exist_ok=True)
    path = config / "reader" / "config.toml"
    path.write_text(settings)
    return os.environ | {"XDG_CONFIG_HOME": str(config), "READER_CONFIG": str(path)}


def test_the_library_comes_up_without_the_article_screen_or_the_name_finder(tmp_path):
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "lib.db")],
                         env=_env(tmp_path), capture_output=True, text=True, check=True,
                         cwd=tmp_path, timeout=60)
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["screen"] == "LibraryScreen"
    assert seen["first screen"] == []
    # The word lists are still read before anyone can reach an entity key.
    assert seen["warm"] is True
    assert seen["collecting"] is True


def test_a_keymap_still_checks_the_label_keys_against_every_binding(tmp_path):
    # A keymap moving a binding onto a built-in label's key is caught at start.
    env = _env(tmp_path, '[keymap]\n"article.down" = "f"\n')
    out = subprocess.run([sys.executable, "-c", "from reader.cli import main; main()",
                          "--db", str(tmp_path / "lib.db")],
                         env=env, capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert out.returncode == 3, out.stderr
    assert "key 'f' is taken by" in out.stdout + out.stderr
