"""Batch rendering (orleans_gov.rendu): tiny notebooks written in tmp_path, independent of the analysis notebooks."""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import nbformat
import pytest

from orleans_gov.cli import rapports as cli_rapports
import orleans_gov.rendu as rendu

CODE_TABLEAU = """import pandas as pd
import matplotlib.pyplot as plt
from orleans_gov import restitution as p
p.appliquer_style()
marqueur_de_code_invisible = 1
df = pd.DataFrame({"Commune": ["Orléans"], "Montant": [1234.5], "provenance": ["exemple"]})
p.tableau(df, formats={"Montant": "keur"}, titre="Un tableau", source="DGFiP, 2014")"""
CODE_FIGURE = """import warnings
warnings.warn("avertissement technique")
fig, ax = plt.subplots(figsize=(4, 3))
ax.plot([2013, 2014], [1, 2])
p.legende_figure(fig, "DGFiP", exemple=True)
plt.show()"""


def _carnet(chemin: Path, cellules: list, parametres: str) -> Path:
    nb = nbformat.v4.new_notebook()
    cell_param = nbformat.v4.new_code_cell(parametres)
    cell_param.metadata["tags"] = ["parameters"]
    nb.cells = [cellules[0], cell_param, *cellules[1:]]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, chemin)
    return chemin


@pytest.fixture
def carnets(tmp_path: Path) -> Path:
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    d = tmp_path / "notebooks"
    d.mkdir()
    _carnet(d / "01_analyse.ipynb",
            [md("# Analyse de test\n\nSource : [portail](https://www.data.gouv.fr/fr/)."),
             md("## Section"), code(CODE_TABLEAU), code(CODE_FIGURE)],
            "annee = 2014\ndossier_donnees = None")
    _carnet(d / "02_echec.ipynb",
            [md("# Carnet en échec"),
             code("print('calcul fait avant l’échec')\nraise ValueError('colonne « pop1 » absente')")], "annee = 2014")
    _carnet(d / "10_fiche_commune.ipynb",
            [md("# Fiche commune"),
             code("from orleans_gov.base.territoire import nom_entite\nprint('Entité :', nom_entite(entite))")],
            "entite = '45234'\ndossier_donnees = None")
    return d


@pytest.fixture
def donnees(tmp_path: Path) -> Path:
    d = tmp_path / "donnees"
    (d / "raw" / "reel").mkdir(parents=True)
    (d / "processed").mkdir()
    (d / "raw" / "reel" / "a.csv").write_bytes(b"abc")
    (d / "processed" / "vide.parquet").write_bytes(b"")
    return d


def test_lister_taches(carnets: Path, donnees: Path):
    taches = rendu.lister_taches(carnets, dossier_donnees=donnees)
    noms = [t.nom for t in taches]
    # 2 analysis notebooks + 22 communes + the agglomeration
    assert len(taches) == 2 + 22 + 1
    assert noms[:2] == ["01_analyse", "02_echec"]
    assert "10_fiche_commune_45234_orleans" in noms
    assert noms[-1] == "10_fiche_commune_244500468_agglo-orleans-val-de-loire"
    # dossier_donnees only for the notebooks that declare it
    assert taches[0].parametres == {"dossier_donnees": str(donnees.resolve())}
    assert taches[1].parametres == {}
    fiche = [t for t in taches if t.entite == "45043"][0]
    assert fiche.parametres == {"dossier_donnees": str(donnees.resolve()), "entite": "45043"}
    assert fiche.libelle_entite == "Bou"
    choix = rendu.lister_taches(carnets, notebooks=["10_fiche_commune"], entites=["214502346", "244500468"])
    assert [t.parametres["entite"] for t in choix] == ["45234", "244500468"]  # SIREN of Orléans → INSEE code
    with pytest.raises(ValueError, match="introuvable"):
        rendu.lister_taches(carnets, notebooks=["99_absent"])
    with pytest.raises(KeyError):
        rendu.lister_taches(carnets, entites=["75056"])


def test_rendre_autonome():
    page = ('<html><head><link rel="stylesheet" href="https://cdn.example.org/x.css">'
            '<script src="https://cdn.example.org/require.js"></script><script>alert(1)</script></head>'
            '<body><img src="https://example.org/a.png"><img src="data:image/png;base64,AAA">'
            '<a href="https://www.insee.fr/fr/statistiques">INSEE</a> <a href="#section">interne</a>'
            '<div style="background:url(https://example.org/b.png)" onclick="x()">t</div></body></html>')
    propre = rendu.rendre_autonome(page)
    assert "<script" not in propre.lower() and "<link" not in propre.lower()
    assert not re.search(r'(src|href)\s*=\s*["\']?https?:', propre)
    assert "url(https" not in propre and "onclick" not in propre
    assert 'INSEE <span class="og-url">(www.insee.fr/fr/statistiques)</span>' in propre
    assert 'src="data:image/png;base64,AAA"' in propre and 'href="#section"' in propre


def test_date_francaise_et_detection_exemple():
    assert rendu.date_francaise(dt.date(2026, 11, 29)) == "29 novembre 2026"
    assert rendu.date_francaise(dt.date(2026, 12, 1)) == "1er décembre 2026"
    nb = nbformat.v4.new_notebook()
    c = nbformat.v4.new_code_cell("x")
    c.outputs = [nbformat.v4.new_output("display_data", data={"text/html": '<div class="og-bandeau-exemple">'})]
    nb.cells = [c]
    assert rendu.contient_exemple(nb)
    c.outputs = [nbformat.v4.new_output("stream", name="stdout", text="rien")]
    assert not rendu.contient_exemple(nb)
    nb.metadata["orleans_gov"] = {"exemple": True}
    assert rendu.contient_exemple(nb)


@pytest.mark.slow
def test_rendu_bout_en_bout(carnets: Path, donnees: Path, tmp_path: Path, capsys):
    sortie = tmp_path / "reports"
    code = cli_rapports.main(["--dossier-notebooks", str(carnets), "--sortie", str(sortie), "--entites", "45234",
                       "244500468", "--dossier-donnees", str(donnees), "--jobs", "2", "--sans-barre"])
    assert code == 1  # one notebook failed
    dossier = (sortie / "latest").resolve()
    assert dossier.parent == sortie.resolve() and re.fullmatch(r"\d{8}-\d{6}", dossier.name)
    sortie_console = capsys.readouterr().out
    assert "ÉCHEC 02_echec, cellule 2 : ValueError — colonne « pop1 » absente" in sortie_console
    assert str(dossier / "02_echec.ipynb") in sortie_console

    attendus_ok = ["01_analyse", "10_fiche_commune_45234_orleans",
                   "10_fiche_commune_244500468_agglo-orleans-val-de-loire"]
    for nom in attendus_ok:
        assert (dossier / f"{nom}.ipynb").exists()
        page = (dossier / f"{nom}.html").read_text(encoding="utf-8")
        assert "<script" not in page.lower()
        assert not re.search(r"""\b(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.IGNORECASE)
        assert "<link" not in page.lower() and "@import" not in page
        assert "marqueur_de_code_invisible" not in page and "nom_entite(entite)" not in page  # no code cell
        assert "jp-CodeMirrorEditor" not in page and "In&nbsp;[" not in page
        assert "Gouvernance du bloc communal — agglomération d&#x27;Orléans" in page \
            or "Gouvernance du bloc communal — agglomération d'Orléans" in page
    analyse = (dossier / "01_analyse.html").read_text(encoding="utf-8")
    assert 'class="og-bandeau-page' in analyse                      # sample data → page banner
    assert 'src="data:image/png;base64,' in analyse          # figure embedded
    assert "1\u202f235\u00a0k€" in analyse                  # French table
    assert "avertissement technique" not in analyse          # stderr removed from the client page
    assert "(www.data.gouv.fr/fr/)" in analyse
    fiche = (dossier / "10_fiche_commune_45234_orleans.html").read_text(encoding="utf-8")
    assert "Entité : Orléans" in fiche and 'class="og-bandeau-page' not in fiche
    agglo = (dossier / "10_fiche_commune_244500468_agglo-orleans-val-de-loire.html").read_text(encoding="utf-8")
    assert "Entité : AgglO Orléans Val de Loire" in agglo
    # the failure: partial notebook kept, no HTML page
    assert (dossier / "02_echec.ipynb").exists() and not (dossier / "02_echec.html").exists()
    # written once, at the end (papermill's save after every cell is off, issue 16): with what ran before the error
    partiel = nbformat.read(dossier / "02_echec.ipynb", as_version=4)
    sorties = [o for c in partiel.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert any(o.get("name") == "stdout" and "calcul fait avant l’échec" in o.get("text", "") for o in sorties)
    assert any(o.get("output_type") == "error" and o.get("ename") == "ValueError" for o in sorties)

    index = (dossier / "index.html").read_text(encoding="utf-8")
    for nom in attendus_ok + ["02_echec"]:
        assert nom in index
    assert index.count('class="og-statut-ok"') == 3 and index.count('class="og-statut-echec"') == 1
    assert "colonne « pop1 » absente" in index
    assert "<script" not in index.lower()

    manifeste = json.loads((dossier / "manifest.json").read_text(encoding="utf-8"))
    # sha256("abc"), FIPS 180-2 test vector; sha256("") of the empty file
    assert manifeste["donnees_sha256"] == {
        "raw/reel/a.csv": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        "processed/vide.parquet": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    }
    livrables = {l["nom"]: l for l in manifeste["livrables"]}
    assert set(livrables) == set(attendus_ok) | {"02_echec"}
    assert livrables["10_fiche_commune_45234_orleans"]["parametres"] == {
        "dossier_donnees": str(donnees.resolve()), "entite": "45234"}
    assert livrables["02_echec"]["statut"] == "échec" and livrables["02_echec"]["erreur_cellule"] == 2
    assert all(l["duree_s"] > 0 for l in manifeste["livrables"])
    assert manifeste["versions"]["papermill"] and "pandas" in manifeste["versions"]
    assert "git" in manifeste


@pytest.mark.slow
def test_delai_depasse_et_noyaux_standard(tmp_path: Path):
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    d = tmp_path / "nb"
    d.mkdir()
    _carnet(d / "01_lent.ipynb", [md("# Lent"), code("import time\ntime.sleep(120)")], "x = 1")
    _carnet(d / "02_rapide.ipynb", [md("# Rapide"), code("print('fini')")], "x = 1")
    taches = rendu.lister_taches(d)
    dossier, resultats = rendu.rendre(taches, sortie=tmp_path / "r", jobs=2, timeout=6, barre=False,
                                      noyaux_chauds=False)
    lent, rapide = resultats
    assert lent.statut == "échec" and lent.erreur_type == "Délai dépassé"
    assert lent.duree_s < 60
    assert rapide.statut == "ok" and "fini" in (dossier / "02_rapide.html").read_text(encoding="utf-8")
