"""Rendering cases (issue 15): corrupt notebooks, dead kernel, unusable output folder, bad selections, and
byte-identical renderings."""
from __future__ import annotations

import datetime as dt
import html
import json
import os
from pathlib import Path

import nbformat
import pytest

import orleans_gov.rendu as rendu
from orleans_gov.cli import rapports as cli_rapports
from orleans_gov.rendu import carnets
from orleans_gov.rendu.taches import NOTEBOOK_FICHE
from test_rendu_outils import carnet, code_tableau, livrables

JOUR = dt.datetime(2026, 12, 3, 10, 0, 0)


def _cli(d: Path, sortie: Path, *extra: str) -> int:
    return cli_rapports.main(["--dossier-notebooks", str(d), "--sortie", str(sortie), "--jobs", "2", "--sans-barre",
                              *extra])


# ---------------------------------------------------------------------------------------------------------------
# notebook examination (no rendering)
# ---------------------------------------------------------------------------------------------------------------
def test_lire_carnet_dit_pourquoi(tmp_path: Path):
    json_faux = tmp_path / "01_json.ipynb"
    json_faux.write_text('{"cells": [}', encoding="utf-8")
    with pytest.raises(carnets.CarnetInvalide, match=r"01_json\.ipynb : JSON invalide \(ligne 1, colonne 12"):
        carnets.lire_carnet(json_faux)
    pas_carnet = tmp_path / "02_liste.ipynb"
    pas_carnet.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(carnets.CarnetInvalide, match="ce n'est pas un carnet Jupyter"):
        carnets.lire_carnet(pas_carnet)
    schema = tmp_path / "03_schema.ipynb"
    schema.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                                  "cells": [{"cell_type": "code", "source": "x = 1"}]}), encoding="utf-8")
    with pytest.raises(carnets.CarnetInvalide, match=r"03_schema\.ipynb : format nbformat invalide"):
        carnets.lire_carnet(schema)
    sans_parametres = carnet(tmp_path / "04_sans.ipynb", ["print(1)"], parametres=None)
    with pytest.raises(carnets.CarnetInvalide, match="aucune cellule de code étiquetée « parameters »"):
        carnets.lire_carnet(sans_parametres)
    binaire = tmp_path / "05_binaire.ipynb"
    binaire.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(carnets.CarnetInvalide, match="fichier illisible"):
        carnets.lire_carnet(binaire)
    # a v4.5 notebook whose cells have no id is accepted (nbformat repairs it the same way)
    brut = json.loads(sans_parametres.read_text(encoding="utf-8"))
    brut["cells"][0]["metadata"]["tags"] = ["parameters"]
    brut["cells"][0]["cell_type"], brut["cells"][0]["outputs"], brut["cells"][0]["execution_count"] = "code", [], None
    for c in brut["cells"]:
        c.pop("id", None)
    sans_ids = tmp_path / "06_sans_ids.ipynb"
    sans_ids.write_text(json.dumps(brut), encoding="utf-8")
    assert carnets.parametres_declares(carnets.lire_carnet(sans_ids)) == set()


def test_selection_et_entites_inconnues(tmp_path: Path, capsys):
    d = tmp_path / "nb"
    d.mkdir()
    carnet(d / "01_a.ipynb", ["print(1)"])
    assert _cli(d, tmp_path / "r", "--notebooks", "99_absent") == 2
    err = capsys.readouterr().err
    assert "carnet(s) introuvable(s)" in err and "99_absent" in err and "disponibles : 01_a" in err
    assert _cli(d, tmp_path / "r", "--notebooks", "01_a", "98*") == 2  # one unknown name is enough
    assert "98*" in capsys.readouterr().err
    assert _cli(d, tmp_path / "r", "--entites", "75056") == 2
    err = capsys.readouterr().err
    assert "entité inconnue du périmètre : '75056'" in err and not err.startswith('erreur : "')
    assert not (tmp_path / "r").exists()  # nothing rendered, no run folder


def test_sortie_non_inscriptible(tmp_path: Path, capsys):
    d = tmp_path / "nb"
    d.mkdir()
    carnet(d / "01_a.ipynb", ["print(1)"])
    fichier = tmp_path / "un_fichier"
    fichier.write_text("x")
    assert _cli(d, fichier / "reports") == 2
    assert "dossier de sortie inutilisable" in capsys.readouterr().err
    if os.geteuid() != 0:  # root writes anywhere: the read-only folder case needs an ordinary user
        lecture_seule = tmp_path / "ro"
        lecture_seule.mkdir()
        lecture_seule.chmod(0o500)
        try:
            assert _cli(d, lecture_seule) == 2
            assert "dossier de sortie inutilisable" in capsys.readouterr().err
        finally:
            lecture_seule.chmod(0o700)


# ---------------------------------------------------------------------------------------------------------------
# renderings
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_carnets_corrompus_et_noyau_mort(tmp_path: Path, capsys):
    d = tmp_path / "nb"
    d.mkdir()
    carnet(d / "01_bon.ipynb", ["print('bon')"])
    (d / "02_json.ipynb").write_text('{"cells": [', encoding="utf-8")
    (d / "03_schema.ipynb").write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                                                   "cells": "pas une liste"}), encoding="utf-8")
    carnet(d / "04_sans_parametres.ipynb", ["print(1)"], parametres=None)
    carnet(d / "05_noyau_mort.ipynb", ["import os\nos._exit(1)"])
    carnet(d / f"{NOTEBOOK_FICHE}.ipynb", ["print(1)"], parametres="annee = 2013")  # no « entite »
    sortie = tmp_path / "r"
    assert _cli(d, sortie, "--entites", "45234") == 1
    console = capsys.readouterr().out
    dossier = (sortie / "latest").resolve()
    li = livrables(dossier)
    assert li["01_bon"]["statut"] == "ok" and (dossier / "01_bon.html").exists()
    attendus = {"02_json": "02_json.ipynb : JSON invalide (ligne 1, colonne 12",
                "03_schema": "03_schema.ipynb : format nbformat invalide",
                "04_sans_parametres": "04_sans_parametres.ipynb : aucune cellule de code étiquetée « parameters »",
                NOTEBOOK_FICHE: f"{NOTEBOOK_FICHE}.ipynb : la cellule « parameters » doit déclarer « entite »"}
    index = (dossier / "index.html").read_text(encoding="utf-8")
    for nom, message in attendus.items():
        assert li[nom]["statut"] == "échec" and li[nom]["erreur_type"] == "Carnet invalide"
        assert message in li[nom]["erreur_message"], li[nom]["erreur_message"]
        assert f"ÉCHEC {nom} : Carnet invalide — {message}" in console
        assert html.escape(message) in index
    mort = li["05_noyau_mort"]
    assert mort["statut"] == "échec" and mort["erreur_type"] == "Noyau arrêté"
    assert index.count('class="og-statut-echec"') == 5 and index.count('class="og-statut-ok"') == 1


@pytest.mark.slow
def test_rendu_identique_octet_pour_octet(tmp_path: Path):
    d = tmp_path / "nb"
    d.mkdir()
    md = nbformat.v4.new_markdown_cell
    carnet(d / "01_stable.ipynb",
           [md("## Une section"), code_tableau("Un tableau"),
            "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot([1, 2], [3, 4])\nplt.show()",
            "print(sorted({'b', 'a'}), {'x', 'y', 'z'})"], "annee = 2014\ndossier_donnees = None")
    # a notebook written without cell ids (nbformat 4.4): nbformat would add random ones
    nb = nbformat.read(d / "01_stable.ipynb", as_version=4)
    nb44 = nbformat.v4.new_notebook()
    nb44.nbformat_minor = 4
    nb44.metadata = nb.metadata
    nb44.cells = [nbformat.from_dict({k: v for k, v in c.items() if k != "id"}) for c in nb.cells]
    (d / "02_sans_ids.ipynb").write_text(json.dumps(nb44), encoding="utf-8")
    taches = rendu.lister_taches(d, dossier_donnees=tmp_path)  # a parameter → papermill injects a cell
    assert all(t.parametres for t in taches)
    runs = [rendu.rendre(taches, sortie=tmp_path / f"r{i}", jobs=2, barre=False, maintenant=JOUR + dt.timedelta(hours=i))
            for i in range(2)]
    (d1, r1), (d2, r2) = runs
    assert all(r.reussi for r in r1 + r2)
    for a in r1:
        for f in a.fichiers:
            assert (d1 / f).read_bytes() == (d2 / f).read_bytes(), f
        executed = nbformat.read(d1 / a.ipynb, as_version=4)
        ids = [c.get("id") for c in executed.cells]
        assert len(set(ids)) == len(ids) and "og-parametres" in ids
        texte = (d1 / a.ipynb).read_text(encoding="utf-8")
        assert "start_time" not in texte and "iopub.execute_input" not in texte and "duration" not in texte
        assert str(d1) not in texte  # output path: the file name only
    page = (d1 / "01_stable.html").read_text(encoding="utf-8")
    assert "3 décembre 2026" in page and "10:00" not in page and "11:00" not in page
    # the run date comes from --date / SOURCE_DATE_EPOCH when given
    _d3, (r3, _) = rendu.rendre(taches, sortie=tmp_path / "r3", jobs=1, barre=False, date=dt.date(2027, 1, 1),
                                tout=True)
    assert "1er janvier 2027" in (_d3 / r3.html).read_text(encoding="utf-8")


def test_dossier_sans_carnet(tmp_path: Path, capsys):
    vide = tmp_path / "vide"
    vide.mkdir()
    assert _cli(vide, tmp_path / "r") == 2
    assert "aucun carnet à rendre" in capsys.readouterr().err


@pytest.mark.slow
def test_echec_export_html(tmp_path: Path, monkeypatch):
    d = tmp_path / "nb"
    d.mkdir()
    carnet(d / "01_a.ipynb", ["print(1)"])
    (tache,) = rendu.lister_taches(d)

    def _casse(*_a, **_k):
        raise RuntimeError("gabarit introuvable")

    monkeypatch.setattr("orleans_gov.rendu.execution.exporter_html", _casse)
    contexte = {"css": "", "date": "3 décembre 2026", "millesime": "m", "version": "v", "timeout": 120,
                "noyaux_chauds": False, "kernel_name": "python3"}
    r = rendu.executer_tache(tache, str(tmp_path), contexte)
    assert r.statut == "échec" and r.erreur_type == "Export HTML : RuntimeError"
    assert r.erreur_message == "gabarit introuvable" and r.ipynb == "01_a.ipynb"


def _pages(tmp_path: Path, noms: list[str]) -> list:
    resultats = []
    for nom in noms:
        (tmp_path / f"{nom}.html").write_text(f"<html><head><title>{nom}</title></head><body>"
                                              f'<div class="og-corps"><h2>Section</h2></div></body></html>')
        resultats.append(rendu.Resultat(nom=nom, notebook=f"/n/{nom}.ipynb", parametres={}, statut="ok",
                                        duree_s=1.0, html=f"{nom}.html"))
    return resultats


def test_pdf_sans_chromium(tmp_path: Path, monkeypatch, capsys):
    from orleans_gov.rendu import pdf

    resultats = _pages(tmp_path, ["01_a"])
    monkeypatch.setattr(pdf, "chromium_disponible", lambda: None)
    pdf.imprimer_pdfs(tmp_path, resultats, jobs=1, barre=False)
    assert resultats[0].pdf is None and "Chromium est introuvable" in capsys.readouterr().err


def test_pdf_un_echec_sans_poppler(tmp_path: Path, monkeypatch, capsys):
    from orleans_gov.rendu import pdf

    resultats = _pages(tmp_path, ["01_a", "02_b"])

    def _faux_chromium(_exe, html: Path, sortie: Path, _delai: float) -> None:
        if "02_b" in html.name:
            raise RuntimeError("Chromium a planté")
        assert "og-sommaire" in html.read_text(encoding="utf-8")  # TOC printed, without page numbers
        sortie.write_bytes(b"%PDF-1.4 faux")

    monkeypatch.setattr(pdf, "chromium_disponible", lambda: "/usr/bin/chromium")
    monkeypatch.setattr(pdf, "pdftotext_disponible", lambda: None)
    monkeypatch.setattr(pdf, "_chromium", _faux_chromium)
    pdf.imprimer_pdfs(tmp_path, resultats, jobs=2, barre=False)
    err = capsys.readouterr().err
    assert "pdftotext (poppler) est introuvable" in err
    assert "PDF non produit pour 02_b : Chromium a planté" in err
    assert resultats[0].pdf == "01_a.pdf" and "01_a.pdf" in resultats[0].sha256 and resultats[1].pdf is None
    assert not list(tmp_path.glob(".*"))  # temporary print copies removed


def test_journal_nomme_les_tableaux_illisibles():
    r = rendu.Resultat(nom="01_a", notebook="/n/01_a.ipynb", parametres={}, statut="ok", duree_s=1.0,
                       html="01_a.html", annexe_erreurs=["cellule 3 : tableau illisible (objet JSON attendu)"])
    page = rendu.index.journal([r], {"horodatage": "2026-12-03 10:00:00"}, 1.0)
    assert "Annexe Excel : cellule 3 : tableau illisible (objet JSON attendu)" in page
