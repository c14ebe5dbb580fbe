"""Fiche commune: building blocks on tiny hand-built frames, clean notebook, end-to-end execution."""
from __future__ import annotations

import html
import json
import re
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from orleans_gov.restitution import fiche as f

NB = Path(__file__).resolve().parents[1] / "notebooks" / "10_fiche_commune.ipynb"


def _territoire() -> pd.DataFrame:
    return pd.DataFrame({
        "entite": ["45234", "45043", "45232", "244500468"],
        "code_insee": ["45234", "45043", "45232", pd.NA],
        "siren": ["214502346", "214500431", "214502320", "244500468"],
        "nom": ["Orléans", "Bou", "Olivet", "AgglO"],
        "niveau": ["commune", "commune", "commune", "agglomération"],
        "an": [2013] * 4,
        "population": [114000.0, 1000.0, 20000.0, 135000.0],
        "statut_population": ["recensement"] * 3 + ["somme des communes"],
        "source_population": ["INSEE"] * 4,
        "strate_dgfip": ["communes de plus de 100 000 hab", "communes de 500 à 2 000 hab",
                         "communes de 20 000 à 50 000 hab", pd.NA],
    })


def test_identite():
    idt = f.identite("45232", _territoire(), 2013)
    assert idt.nom == "Olivet" and idt.rang_population == 2  # Orléans (114 000) > Olivet (20 000) > Bou
    # 20 000 / (114 000 + 1 000 + 20 000) = 20 000 / 135 000
    assert math.isclose(idt.part_population, 20000 / 135000)
    agglo = f.identite("244500468", _territoire(), 2013)
    assert agglo.rang_population is None and agglo.strate is None
    with pytest.raises(f.SectionIndisponible, match="2014"):
        f.identite("45232", _territoire(), 2014)


def _indicateurs() -> pd.DataFrame:
    return pd.DataFrame({
        "entite": ["244500468"], "an": [2013], "population": [200000.0], "rrf": [100000.0], "drf": [80000.0],
        "personnel": [30000.0], "impots_directs": [50000.0], "dgf": [20000.0], "epargne_brute": [20000.0],
        "epargne_nette": [10000.0], "equipement": [15000.0], "encours_dette": [np.nan],
        "taux_epargne_brute": [20.0], "taux_epargne_nette": [10.0], "capacite_desendettement": [np.nan],
        "classe_capacite": [pd.NA], "rigidite_charges": [35.0], "r7_personnel_drf": [37.5],
        "provenance": ["exemple"],
    })


def test_tableau_finances_agglo_sans_strate():
    t = f.tableau_finances("244500468", _indicateurs(), None, 2013)
    # 100 000 k€ × 1 000 / 200 000 hab. = 500 €/hab.
    assert t.loc["Recettes réelles de fonctionnement", "valeur_eur_hab"] == 500.0
    assert np.isnan(t.loc["Encours de la dette au 31/12", "montant"])  # missing stays missing
    assert t["moyenne_strate_eur_hab"].isna().all()
    r = f.tableau_ratios("244500468", _indicateurs(), 2013)
    assert r.loc["Taux d'épargne brute", "valeur"] == "20,0\u00a0%"
    assert r.loc["Capacité de désendettement", "valeur"] == "n.d."
    with pytest.raises(f.SectionIndisponible):
        f.tableau_finances("244500468", _indicateurs(), None, 2012)


def test_depenses_politiques_somme_stricte():
    dep = pd.DataFrame({
        "entite": ["45043"] * 4 + ["45232"] * 2,
        "an": [2013] * 6,
        "fonction": ["0", "0", "3", "3", "0", "3"],
        "libelle_fonction": ["Services généraux", "Services généraux", "Culture", "Culture", "Services généraux",
                             "Culture"],
        "section": ["fonctionnement", "investissement"] * 2 + ["fonctionnement", "fonctionnement"],
        "montant": [100.0, 50.0, 20.0, np.nan, 400.0, 100.0],
        "population": [1000.0] * 4 + [20000.0] * 2,
        "provenance": ["exemple"] * 6,
    })
    t = f.depenses_politiques("45043", dep, 2013)
    # fonction 0 : (100 + 50) k€ × 1 000 / 1 000 hab. = 150 €/hab.
    assert t.loc["0 Services généraux", "montant_eur_hab"] == 150.0
    # fonction 3 : one section missing → missing, not 20
    assert np.isnan(t.loc["3 Culture", "montant"])
    # median of the communes for function 0: Bou 150, Olivet 400 × 1 000 / 20 000 = 20 → (150 + 20) / 2 = 85
    assert t.loc["0 Services généraux", "mediane_communes_eur_hab"] == 85.0
    assert t["part_depenses"].isna().all()  # total unknown → shares unknown


def test_fonction_absente():
    with pytest.raises(f.SectionIndisponible, match="orleans_gov.analyse.finances.fonction_inexistante"):
        f.fonction_analyse("analyse.finances", "fonction_inexistante")
    with pytest.raises(f.SectionIndisponible):
        f.module_analyse("module_inexistant")


def test_notebook_fiche_sans_sorties_et_parametres():
    nb = json.loads(NB.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert "parameters" in code[0].get("metadata", {}).get("tags", [])
    source = "".join(code[0]["source"])
    assert 'entite = "45234"' in source and "dossier_donnees = None" in source
    for c in code:
        assert c.get("outputs") == [] and c.get("execution_count") is None


@pytest.mark.slow
@pytest.mark.parametrize("entite", ["45043", "244500468"])
def test_fiche_s_execute(donnees_construites, tmp_path, entite):
    import papermill

    sortie = tmp_path / "fiche.ipynb"
    papermill.execute_notebook(str(NB), str(sortie), parameters={"entite": entite,
                                                                 "dossier_donnees": str(donnees_construites)},
                               kernel_name="python3", cwd=str(NB.parent), progress_bar=False)
    nb = json.loads(sortie.read_text(encoding="utf-8"))
    sorties = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]
    assert not [o for o in sorties if o.get("output_type") == "error"]
    textes = html.unescape(" ".join("".join(o.get("data", {}).get("text/html", ""))
                                    + "".join(o.get("data", {}).get("text/markdown", "")) for o in sorties))
    assert "section non disponible" not in textes
    assert "Données d'exemple — ne pas diffuser" in textes
    assert "data:image/png;base64" in textes  # situation map (side by side with the identity card)
    assert len([o for o in sorties if "image/png" in o.get("data", {})]) == 2  # evolution, spending by function
    assert "Effets pour" in textes and textes.count("Source") >= 6
    # a base64-embedded PNG can contain "NaN" by chance: look only at the text, images stripped
    texte_seul = re.sub(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+", "", textes)
    assert "NaN" not in texte_seul and ">nan<" not in texte_seul


def test_phrases_synthese_et_ordinal():
    assert f.ordinal(1) == "1re" and f.ordinal(21) == "21e" and f.ordinal(None) == "n.d."
    idt = f.identite("45232", _territoire(), 2013)
    phrases = f.phrases_synthese(idt, None, None)
    # 20 000 / 135 000 = 14,81… % → 14,8 %
    assert phrases == ["Olivet compte 20\u202f000 habitants en 2013 (2e commune de l'agglomération par la "
                       "population, 14,8\u00a0% de ses habitants)."]


def test_cle_du_cache_des_fiches_couvre_ce_que_lit_le_moteur(tmp_path):
    """The fiches' memoised projections are keyed on every input of the engine: the dated legal parameters
    (``base/parametres/*.yaml``), the raw competence files, the processed tables and the library versions
    (before, a changed legal parameter or competence table gave the fiches the former numbers)."""
    import shutil

    import orleans_gov
    from orleans_gov.restitution import projections as pj
    from orleans_gov.scenarios import scenarios_livres
    fichiers = list(scenarios_livres())
    noms = {p.name for p in pj.entrees_cache(fichiers, tmp_path)}
    assert {"dotations.yaml", "dgf.yaml", "competences_par_categorie.csv", "competences_agglo-orleans.csv",
            "etat.py", "fil-de-l-eau.yaml"} <= noms
    dossier = tmp_path / "donnees"
    (dossier / "processed").mkdir(parents=True)
    cles = {pj.chemin_cache(fichiers, dossier, 2013)}
    brut = dossier / "raw" / "reel" / "competences" / "competences_par_categorie.csv"
    brut.parent.mkdir(parents=True)
    brut.write_text("a")
    cles.add(pj.chemin_cache(fichiers, dossier, 2013))
    (dossier / "processed" / "populations.parquet").write_bytes(b"x")
    cles.add(pj.chemin_cache(fichiers, dossier, 2013))
    cles.add(pj.chemin_cache(fichiers, dossier, 2014))
    autre = tmp_path / "version"
    shutil.copytree(dossier, autre)
    assert pj.chemin_cache(fichiers, autre, 2014) in cles                 # same content, same key
    with pytest.MonkeyPatch.context() as m:
        m.setattr(orleans_gov, "__version__", "0.0.0-test")
        cles.add(pj.chemin_cache(fichiers, dossier, 2014))
    assert len(cles) == 5
