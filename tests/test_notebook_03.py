"""Notebook 03 (scénarios financiers): committed without outputs, runs end to end with its defaults."""
from __future__ import annotations

import html
from pathlib import Path

import nbformat
import pytest

NB = Path(__file__).resolve().parents[1] / "notebooks" / "03_scenarios_financiers.ipynb"


def test_notebook_sans_sorties_et_parametres():
    nb = nbformat.read(NB, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    codes = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in codes[0].metadata.get("tags", [])
    for nom in ("scenarios", "annee_reference", "horizon", "dossier_donnees"):
        assert f"{nom} =" in codes[0].source
    for c in codes:
        assert c.outputs == [] and c.execution_count is None


@pytest.mark.slow
def test_notebook_execute(donnees_construites, tmp_path):
    import papermill as pm
    sortie = tmp_path / "03.ipynb"
    pm.execute_notebook(str(NB), str(sortie), parameters={"dossier_donnees": str(donnees_construites)},
                        kernel_name="python3", cwd=str(NB.parent), progress_bar=False)
    nb = nbformat.read(sortie, as_version=4)
    erreurs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not erreurs
    texte = html.unescape("\n".join(str(o.get("data", {}).get("text/html", "")) + str(o.get("data", {}).get("text/markdown", ""))
                      for c in nb.cells if c.cell_type == "code" for o in c.outputs))
    assert "Données d'exemple — ne pas diffuser" in texte
    assert "Évaluation CLECT" in texte and "Comparaison des scénarios" in texte
    images = sum(1 for c in nb.cells if c.cell_type == "code" for o in c.outputs
                 if "image/png" in o.get("data", {}))
    assert images >= 8
