"""Notebook 02 (comparaison des organisations): committed clean, runs end to end with its defaults."""
from __future__ import annotations

import html
import json
from pathlib import Path

import pytest

NB = Path(__file__).resolve().parents[1] / "notebooks" / "02_comparaison_organisations.ipynb"


def test_notebook_02_sans_sorties_et_parametres():
    nb = json.loads(NB.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert "parameters" in code[0].get("metadata", {}).get("tags", [])
    source = "".join(code[0]["source"])
    assert "annee_reference = 2013" in source and "dossier_donnees = None" in source
    for c in code:
        assert c.get("outputs") == [] and c.get("execution_count") is None


@pytest.mark.slow
def test_notebook_02_s_execute(donnees_construites, tmp_path):
    import papermill

    sortie = tmp_path / "02.ipynb"
    papermill.execute_notebook(str(NB), str(sortie), parameters={"dossier_donnees": str(donnees_construites)},
                               kernel_name="python3", cwd=str(NB.parent), progress_bar=False)
    nb = json.loads(sortie.read_text(encoding="utf-8"))
    sorties = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]
    assert not [o for o in sorties if o.get("output_type") == "error"]
    textes = html.unescape(" ".join("".join(o.get("data", {}).get("text/html", "")) + "".join(o.get("data", {}).get("text/markdown", ""))
                      for o in sorties))
    images = [o for o in sorties if "image/png" in o.get("data", {})]
    assert len(images) == 5  # scatter, filières, catégories/statuts, duplication heatmap, police series
    assert "Données d'exemple — ne pas diffuser" in textes
    assert "Fonctions support" in textes and "Agents de police municipale" in textes
    assert textes.count("Source") >= 5
    assert "NaN" not in textes and ">nan<" not in textes  # missing values are printed « n.d. »
