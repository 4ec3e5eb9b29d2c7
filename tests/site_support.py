"""Build the real sample site (pelicanconf.py, content/, theme/) in-process, into a temp folder."""

from pathlib import Path

from pelican import Pelican
from pelican.settings import read_settings

ROOT = Path(__file__).resolve().parents[1]


def build_sample_site(folder: Path, export: Path, **settings) -> tuple[Path, Path]:
    """Build with this comments export (and settings); return the output folder and manifest."""
    manifest = folder / "porch-manifest.json"
    pelican_settings = read_settings(
        str(ROOT / "pelicanconf.py"),
        override={
            "OUTPUT_PATH": str(folder / "output"),
            "CACHE_PATH": str(folder / "cache"),
            "PORCH_COMMENTS_EXPORT": str(export),
            "PORCH_MANIFEST_PATH": str(manifest),
            **settings,
        },
    )
    Pelican(pelican_settings).run()
    return folder / "output", manifest
