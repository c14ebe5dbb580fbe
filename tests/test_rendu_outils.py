"""Helpers of the rendering tests (tests/test_rendu_*.py): tiny notebooks and data folders in tmp_path (no test)."""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pandas as pd

MIME_TABLEAU = "application/vnd.orleans-gov.tableau+json"


def carnet(chemin: Path, cellules: list, parametres: str | None = "x = 1", titre: str = "# Carnet") -> Path:
    """A notebook: a title, the ``parameters`` cell (none when ``parametres`` is None), then ``cellules``
    (strings are code cells)."""
    md = nbformat.v4.new_markdown_cell
    nb = nbformat.v4.new_notebook()
    cells = [md(titre)]
    if parametres is not None:
        p = nbformat.v4.new_code_cell(parametres)
        p.metadata["tags"] = ["parameters"]
        cells.append(p)
    for c in cellules:
        cells.append(nbformat.v4.new_code_cell(c) if isinstance(c, str) else c)
    nb.cells = cells
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, chemin)
    return chemin


def code_tableau(titre: str, exemple: bool = False, lignes: list | None = None) -> str:
    """Code of a cell that displays a table the way the restitution layer will (HTML + the annex MIME output)."""
    donnees = {"titre": titre, "source": "DGFiP, comptes individuels 2013", "exemple": exemple,
               "colonnes": [{"nom": "an", "libelle": "Exercice", "unite": ""},
                            {"nom": "montant", "libelle": "Montant", "unite": "k€"},
                            {"nom": "taux", "libelle": "Taux d'épargne brute", "unite": "%"}],
               "lignes": lignes if lignes is not None else [[2013, 1234.5, 12.3], [2014, None, 9.5]],
               "index": ["Orléans", "Bou"]}
    return ("from IPython.display import display, HTML\n"
            f"display(HTML('<table class=\"og-tableau\"><caption>{titre}</caption><tr><td>1 234,5</td></tr></table>'))\n"
            f"display({{{MIME_TABLEAU!r}: {json.dumps(donnees, ensure_ascii=False)!r}}}, raw=True)")


def dossier_donnees(racine: Path) -> Path:
    """A data folder: raw/reel/a.csv, processed/police_municipale.parquet (rows of Orléans, Bou and the
    agglomeration, plus one row of no entity) and processed/autre.parquet (a shared table)."""
    d = racine / "donnees"
    (d / "raw" / "reel").mkdir(parents=True)
    (d / "processed").mkdir()
    (d / "raw" / "reel" / "a.csv").write_bytes(b"abc")
    ecrire_police(d, {"45234": 10, "45043": 2, "244500468": 5})
    pd.DataFrame({"an": [2013], "valeur": [1.0]}).to_parquet(d / "processed" / "autre.parquet", index=False)
    return d


def ecrire_police(d: Path, agents: dict[str, int]) -> None:
    entites = list(agents) + [None]
    pd.DataFrame({"entite": entites, "an": [2013] * len(entites),
                  "agents_police": list(agents.values()) + [0]}).to_parquet(
        d / "processed" / "police_municipale.parquet", index=False)


def livrables(dossier: Path) -> dict[str, dict]:
    """The manifest's deliverables of a run folder, by name."""
    manifeste = json.loads((dossier / "manifest.json").read_text(encoding="utf-8"))
    return {li["nom"]: li for li in manifeste["livrables"]}
