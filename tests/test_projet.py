"""Project hygiene: dependencies in sync, notebooks committed without outputs, CI calls make test."""
from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import yaml

RACINE = Path(__file__).resolve().parents[1]


def _nom_borne(spec: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(>=\s*[0-9.]+)?", spec)
    return m.group(1).lower().replace("_", "-"), (m.group(2) or "").replace(" ", "")


def test_environment_yml_reflete_pyproject():
    pyproject = tomllib.loads((RACINE / "pyproject.toml").read_text())
    deps = pyproject["project"]["dependencies"] + pyproject["project"]["optional-dependencies"]["dev"]
    attendu = dict(_nom_borne(d) for d in deps)
    env = yaml.safe_load((RACINE / "environment.yml").read_text())
    conda = dict(_nom_borne(d) for d in env["dependencies"] if isinstance(d, str) and not d.startswith(("python", "pip")))
    assert conda == attendu
    assert all(b for b in attendu.values()), "every dependency has a lower bound"


def test_notebooks_sans_sorties():
    for nb in sorted((RACINE / "notebooks").glob("*.ipynb")):
        contenu = json.loads(nb.read_text())
        for cell in contenu["cells"]:
            if cell["cell_type"] == "code":
                assert cell.get("outputs", []) == [], f"{nb.name}: sorties committées"
                assert cell.get("execution_count") is None, f"{nb.name}: execution_count committé"


def test_notebooks_cellules_identifiees():
    """nbformat 4.5: every cell carries a unique id (a missing one makes nbformat warn at every rendering and will
    become an error; the rendered notebooks derive their deterministic ids from these)."""
    for nb in sorted((RACINE / "notebooks").glob("*.ipynb")):
        contenu = json.loads(nb.read_text())
        ids = [c.get("id") for c in contenu["cells"]]
        assert (contenu["nbformat"], contenu["nbformat_minor"]) >= (4, 5), nb.name
        assert all(ids) and len(set(ids)) == len(ids), f"{nb.name}: cellule sans identifiant ou identifiant répété"
        assert all(re.fullmatch(r"[A-Za-z0-9_-]{1,64}", i) for i in ids), nb.name


def test_notebooks_ont_une_cellule_parameters():
    for nb in sorted((RACINE / "notebooks").glob("*.ipynb")):
        contenu = json.loads(nb.read_text())
        tags = [t for c in contenu["cells"] for t in c.get("metadata", {}).get("tags", [])]
        assert "parameters" in tags, nb.name


def test_ci_appelle_make_test():
    assert "make test" in (RACINE / ".ci" / "run").read_text()


def test_sources_documentees():
    sources = (RACINE / "data" / "raw" / "SOURCES.md").read_text()
    for p in sorted((RACINE / "data" / "raw" / "reel").rglob("*")):
        if p.is_file() and p.suffix in {".csv", ".geojson"}:
            assert p.name in sources, f"{p.name} absent de data/raw/SOURCES.md"


def test_cellules_de_code_courtes():
    """Thin notebooks (docs/ARCHITECTURE.md): no code cell of any notebook over 25 lines; the logic lives in
    orleans_gov.restitution."""
    for nb in sorted((RACINE / "notebooks").glob("*.ipynb")):
        contenu = json.loads(nb.read_text())
        for i, cell in enumerate(contenu["cells"]):
            if cell["cell_type"] == "code":
                n = len("".join(cell["source"]).strip("\n").splitlines())
                assert n <= 25, f"{nb.name}, cellule {i} : {n} lignes de code (25 au plus)"
