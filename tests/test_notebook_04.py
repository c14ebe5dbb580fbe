"""Notebook 04 (comparaison des scénarios): committed without outputs, runs end to end with its defaults, shows a
page per scenario with actions and the side-by-side table, whose numbers are those of the engine."""
from __future__ import annotations

import html
from pathlib import Path

import nbformat
import pytest

from orleans_gov.restitution.formats import fmt_keur

NB = Path(__file__).resolve().parents[1] / "notebooks" / "04_comparaison_scenarios.ipynb"


def test_notebook_sans_sorties_et_parametres():
    nb = nbformat.read(NB, as_version=4)
    codes = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in codes[0].metadata.get("tags", [])
    for nom in ("scenarios", "annee_reference", "horizon", "dossier_donnees"):
        assert f"{nom} =" in codes[0].source
    for c in codes:
        assert c.outputs == [] and c.execution_count is None


@pytest.mark.slow
def test_notebook_execute(donnees_construites, tmp_path):
    import papermill as pm
    from orleans_gov.restitution.chargement_scenarios import contexte_scenarios
    from orleans_gov.restitution.scenarios import synthese
    sortie = tmp_path / "04.ipynb"
    pm.execute_notebook(str(NB), str(sortie), parameters={"dossier_donnees": str(donnees_construites)},
                        kernel_name="python3", cwd=str(NB.parent), progress_bar=False)
    nb = nbformat.read(sortie, as_version=4)
    erreurs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not erreurs
    texte = html.unescape("\n".join(str(o.get("data", {}).get("text/html", "")) + str(o.get("data", {}).get(
        "text/markdown", "")) for c in nb.cells if c.cell_type == "code" for o in c.outputs))
    assert "Tous les scénarios côte à côte" in texte and "Qui gagne, qui perd" in texte
    assert "Conditions légales" in texte and "Côté contribuables" in texte
    for titre in ("Communauté urbaine au 1er janvier 2017", "Pacte financier et fiscal 2015–2020",
                  "Schéma de mutualisation 2015–2020", "Composition du conseil communautaire 2014"):
        assert titre in texte
    # the side-by-side table shows the engine's numbers (formatted in k€)
    ctx = contexte_scenarios(None, 2013, [2014, 2020], donnees_construites)
    s = synthese(ctx.resultats, ctx.contrefactuels).set_index("scenario")
    assert fmt_keur(s.loc["Communauté urbaine au 1er janvier 2017", "gain_agglo_keur"]) in texte
