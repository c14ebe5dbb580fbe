"""Deliverables (issue 14, rendering side): Excel annexes, PDF with table of contents and page numbers, index as a
reading guide."""
from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import openpyxl
import pytest

import orleans_gov.rendu as rendu
from orleans_gov.base.provenance import TEXTE_EXEMPLE
from orleans_gov.rendu import annexes, guide, pdf
from orleans_gov.rendu.taches import NOTEBOOK_FICHE, Resultat
from test_rendu_outils import MIME_TABLEAU, carnet, code_tableau, livrables

JOUR = dt.datetime(2026, 12, 3, 10, 0, 0)
CHROMIUM, PDFTOTEXT = pdf.chromium_disponible(), shutil.which("pdftotext")


def _nb_avec_sorties(*donnees) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    c = nbformat.v4.new_code_cell("x")
    c.outputs = [nbformat.v4.new_output("display_data", data={"text/html": "<table></table>"})]
    c.outputs += [nbformat.v4.new_output("display_data", data={MIME_TABLEAU: d}) for d in donnees]
    nb.cells = [nbformat.v4.new_markdown_cell("# T"), c]
    return nb


TABLEAU = {"titre": "Dépenses par fonction 2013 : [toutes] les communes / agglomération",
           "source": "Comptes administratifs, 2013", "exemple": True,
           "colonnes": [{"nom": "an", "libelle": "Exercice", "unite": ""},
                        {"nom": "montant", "libelle": "Montant", "unite": "k€"},
                        {"nom": "hab", "libelle": "Par habitant", "unite": "€/hab"},
                        {"nom": "part", "libelle": "Part des dépenses", "unite": "%"},
                        {"nom": "etp", "libelle": "ETP", "unite": "ETP"},
                        {"nom": "note", "libelle": "Note", "unite": "texte"}],
           "lignes": [[2013, 1234.5, 345.25, 12.3, 4.25, "=SOMME(A1)"], [2013, None, float("nan"), 0.0, 0, None]],
           "index": ["Orléans", "Bou"]}


# ---------------------------------------------------------------------------------------------------------------
# Excel annex
# ---------------------------------------------------------------------------------------------------------------
def test_collecte_des_tableaux():
    nb = _nb_avec_sorties(TABLEAU, {"titre": "Bancal", "colonnes": [{"nom": "a"}], "lignes": [[1, 2]]},
                          '{"titre": "En texte", "colonnes": [], "lignes": []}')
    tableaux, erreurs = annexes.collecter_tableaux(nb)
    assert [t.titre for t in tableaux] == [TABLEAU["titre"], "En texte"] and tableaux[0].cellule == 1
    assert erreurs == ["cellule 1 : tableau illisible (la ligne 1 a 2 valeur(s) pour 1 colonne(s))"]


def test_noms_onglets():
    noms = annexes.noms_onglets(["Sommaire", "A/B : [c]", "x" * 40, "x" * 40, "'Cité'", ""])
    assert noms[0] == "Sommaire (2)" and noms[1] == "A B c"
    assert all(len(n) <= 31 for n in noms) and len({n.lower() for n in noms}) == len(noms)
    assert noms[2] == "x" * 31 and noms[3] == "x" * 27 + " (2)" and noms[4] == "Cité" and noms[5] == "Tableau 6"


def test_annexe_excel(tmp_path: Path):
    t, = annexes.collecter_tableaux(_nb_avec_sorties(TABLEAU))[0]
    chemin = annexes.ecrire_annexe(tmp_path / "a.xlsx", [t, t], titre_document="Diagnostic", entite="Orléans",
                                   date=dt.date(2026, 12, 3), exemple=True)
    copie = annexes.ecrire_annexe(tmp_path / "b.xlsx", [t, t], titre_document="Diagnostic", entite="Orléans",
                                  date=dt.date(2026, 12, 3), exemple=True)
    assert chemin.read_bytes() == copie.read_bytes()  # deterministic
    wb = openpyxl.load_workbook(chemin)
    assert wb.sheetnames[0] == "Sommaire" and len(wb.sheetnames) == 3
    assert len(wb.sheetnames[1]) <= 31 and "[" not in wb.sheetnames[1] and "/" not in wb.sheetnames[1]
    assert wb.sheetnames[2].endswith("(2)")
    sommaire = wb["Sommaire"]
    valeurs = [c.value for c in sommaire["A"]]
    assert "Diagnostic" in valeurs and TEXTE_EXEMPLE in valeurs
    lien = next(c for c in sommaire["A"] if c.hyperlink is not None)
    assert lien.hyperlink.location == f"'{wb.sheetnames[1]}'!A1"
    ws = wb.worksheets[1]
    assert ws["A1"].value == TABLEAU["titre"] and ws["A2"].value == "Source : Comptes administratifs, 2013"
    assert ws["A3"].value == TEXTE_EXEMPLE
    entetes = [c.value for c in ws[4]]
    assert entetes[0] in ("", None)  # the index column has no header
    assert entetes[1:] == ["Exercice", "Montant (k€)", "Par habitant (€/hab)", "Part des dépenses (%)", "ETP (ETP)",
                           "Note"]
    assert ws.freeze_panes == "B5"
    an, montant, hab, part, etp, note = (ws.cell(row=5, column=j) for j in range(2, 8))
    assert ws["A5"].value == "Orléans"
    assert (an.value, an.number_format) == (2013, "0")
    assert (montant.value, montant.number_format) == (1234.5, "#,##0")
    assert (hab.value, hab.number_format) == (345.25, "#,##0")
    assert part.value == pytest.approx(0.123) and part.number_format == "0.0 %"
    assert (etp.value, etp.number_format) == (4.25, "#,##0.0")
    assert note.value == "=SOMME(A1)" and note.data_type == "s"  # text, never a formula
    # missing values: empty cells, never 0; a real 0 stays 0
    assert ws.cell(row=6, column=3).value is None and ws.cell(row=6, column=4).value is None
    assert ws.cell(row=6, column=5).value == 0 and ws.cell(row=6, column=6).value == 0
    assert ws.cell(row=6, column=7).value is None
    assert ws.column_dimensions["C"].width >= 8


def test_html_ne_montre_pas_les_donnees_annexe():
    nb = _nb_avec_sorties(TABLEAU)
    nb.cells[1].outputs.append(nbformat.v4.new_output("display_data", data={
        MIME_TABLEAU: TABLEAU, "text/html": "<p>vue</p>", "text/plain": "repr"}))
    tache = rendu.Tache(nom="t", notebook="/x/01_t.ipynb", parametres={})
    contexte = {"css": "", "date": "3 décembre 2026", "millesime": "m", "version": "v"}
    page, _ex, _n = rendu.exporter_html(nb, tache, contexte)
    assert "Dépenses par fonction" not in page and MIME_TABLEAU not in page and "montant" not in page
    assert "<p>vue</p>" in page and "<table></table>" in page
    assert MIME_TABLEAU in nb.cells[1].outputs[1]["data"]  # the executed notebook keeps the data


# ---------------------------------------------------------------------------------------------------------------
# reading guide
# ---------------------------------------------------------------------------------------------------------------
def _res(nom: str, notebook: str, **kw) -> Resultat:
    kw.setdefault("html", f"{nom}.html")
    return Resultat(nom=nom, notebook=f"/n/{notebook}.ipynb", parametres={}, statut=kw.pop("statut", "ok"),
                    duree_s=1.0, **kw)


def test_guide_de_lecture_ordre_et_liens():
    resultats = [_res(f"{NOTEBOOK_FICHE}_45234_orleans", NOTEBOOK_FICHE, libelle_entite="Orléans",
                      pdf="f.pdf", annexe="f.xlsx"),
                 _res("03_scenarios_financiers", "03_scenarios_financiers", titre="Scénarios"),
                 _res("01_diagnostic_politiques_publiques", "01_diagnostic_politiques_publiques", titre="Diag",
                      annexe="01.xlsx"),
                 _res("00_synthese", "00_synthese", titre="Synthèse de la mission"),
                 _res("02_comparaison_organisations", "02_comparaison_organisations", statut="échec", html=None),
                 _res("07_autre", "07_autre", titre="Un carnet sans texte")]
    page = rendu.index.guide(resultats)
    ordre = [page.index(guide.GUIDE[k].titre) for k in ("00", "01", "02", "03")]
    assert ordre == sorted(ordre)
    assert page.index("Un carnet sans texte") > ordre[-1]
    assert page.index(guide.GUIDE["10"].titre) > page.index("Un carnet sans texte")
    assert guide.GUIDE["04"].titre not in page  # notebook 04 not rendered: not shown
    assert '<a href="01.xlsx">annexe Excel</a>' in page and '<a href="f.pdf">PDF</a>' in page
    assert "Non disponible dans ce rendu" in page and "Orléans" in page


@pytest.mark.slow
def test_annexe_index_manifeste_bout_en_bout(tmp_path: Path):
    d = tmp_path / "nb"
    d.mkdir()
    carnet(d / "01_tableaux.ipynb", [code_tableau("Premier tableau", exemple=True), code_tableau("Second")],
           titre="# Diagnostic de test")
    carnet(d / "02_sans_tableau.ipynb", ["print('rien')"], titre="# Sans tableau")
    dossier, resultats = rendu.rendre(rendu.lister_taches(d), sortie=tmp_path / "r", jobs=2, barre=False,
                                      maintenant=JOUR)
    avec, sans = resultats
    assert avec.reussi and avec.annexe == "01_tableaux.xlsx" and avec.annexe_tableaux == 2
    assert sans.reussi and sans.annexe is None and not (dossier / "02_sans_tableau.xlsx").exists()
    wb = openpyxl.load_workbook(dossier / avec.annexe)
    assert wb.sheetnames == ["Sommaire", "Premier tableau", "Second"]
    page = (dossier / avec.html).read_text(encoding="utf-8")
    assert "Premier tableau" in page and "Taux d&#x27;épargne brute" not in page and MIME_TABLEAU not in page
    li = livrables(dossier)["01_tableaux"]
    assert li["annexe"] == "01_tableaux.xlsx" and "01_tableaux.xlsx" in li["sha256"]
    index = (dossier / "index.html").read_text(encoding="utf-8")
    assert '<a href="01_tableaux.xlsx">annexe Excel</a>' in index
    assert index.index("Guide de lecture") < index.index("Journal technique")


# ---------------------------------------------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------------------------------------------
def test_titres_et_copie_impression():
    page = ('<html><head><title>T</title></head><body><header class="og-couverture">c</header>'
            '<div class="og-corps"><h2 id="a">Premier</h2><h3>Sous &amp; section</h3><h2>Second</h2></div></body></html>')
    avec_ids, sections = pdf.titres_sections(page)
    assert [(s["niveau"], s["numero"], s["texte"]) for s in sections] == [
        (2, "1.", "Premier"), (3, "1.1", "Sous & section"), (2, "2.", "Second")]
    assert sections[0]["id"] == "a" and 'id="og-section-2"' in avec_ids
    sections[0]["page"], sections[1]["page"], sections[2]["page"] = 1, 2, 3
    copie = pdf.copie_impression(avec_ids, sections, 'Titre "x" — Orléans', pages=True)
    assert copie.index('class="og-sommaire"') > copie.index("</header>")
    assert 'counter(page) " / " counter(pages)' in copie and 'content: "Titre \\"x\\" — Orléans"' in copie
    assert '<a href="#og-section-2">1.1 Sous &amp; section</a></td><td class="og-sommaire-page">2</td>' in copie


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None or PDFTOTEXT is None, reason="Chromium ou poppler (pdftotext) absent")
def test_pdf_sommaire_et_numeros_de_page(tmp_path: Path):
    md = nbformat.v4.new_markdown_cell
    d = tmp_path / "nb"
    d.mkdir()
    long = "\n\n".join(f"Paragraphe {i} : " + "texte de remplissage " * 40 for i in range(12))
    cellules = []
    for i in range(1, 5):
        cellules += [md(f"## Section numéro {i}\n\n{long}"), md(f"### Détail {i}\n\n{long[:2000]}")]
    carnet(d / "01_long.ipynb", cellules, titre="# Document long")
    dossier, (r,) = rendu.rendre(rendu.lister_taches(d), sortie=tmp_path / "r", jobs=1, barre=False, pdf=True,
                                 maintenant=JOUR)
    assert r.reussi and r.pdf == "01_long.pdf" and r.pdf in r.sha256
    sortie = subprocess.run([PDFTOTEXT, "-layout", str(dossier / r.pdf), "-"], capture_output=True, check=True)
    pages = sortie.stdout.decode("utf-8").split("\f")
    pages = [p for p in pages if p.strip()]
    n = len(pages)
    assert n >= 5
    for i, texte in enumerate(pages, start=1):  # footer: title and « i / n » on every page
        pied = texte.rstrip().splitlines()[-1]
        assert re.search(rf"{i}\s*/\s*{n}\s*$", pied), pied
        assert "Document long" in pied
    sommaire = pages[0]
    assert "Sommaire" in sommaire
    for i in range(1, 5):
        for titre in (f"{i}. Section numéro {i}", f"{i}.1 Détail {i}"):
            m = re.search(re.escape(titre) + r"\s+(\d+)\s*$", sommaire, re.MULTILINE)
            assert m, titre
            page = int(m.group(1))
            # the heading is on the page the table of contents gives (and not on the page before)
            assert titre in pages[page - 1], (titre, page)
            assert all(titre not in p for p in pages[:page - 1] if p is not sommaire)
    assert "@@OGSEC" not in sortie.stdout.decode("utf-8")  # no marker left in the final PDF
    assert not list(dossier.glob(".*"))  # no temporary file left
    html = (dossier / r.html).read_text(encoding="utf-8")
    assert "og-sommaire" not in html  # the HTML deliverable itself is unchanged
