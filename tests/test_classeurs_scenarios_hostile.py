"""Issue 15, hostile input to the collection workbooks and the scenario files: a clear error naming the file and the
cell (workbooks) or the key path (scenarios), never a silent loss. Catalogue of cases: docs/FIABILITE.md."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from orleans_gov.base.erreurs import ErreurScenario
from orleans_gov.scenarios import DOSSIER_SCENARIOS, charger_scenario
from orleans_gov.sources.classeurs import modele as cl
from orleans_gov.sources.classeurs.lecture import lire_classeur, valider_dossier

from test_collecte import DOMAINES, NOMS_DOMAINES, _classeur


def _messages(lu) -> str:
    return "\n".join(str(e) for e in lu.erreurs)


def _ouvrir(chemin: Path):
    wb = load_workbook(chemin)
    for ws in wb.worksheets:
        ws.protection.sheet = False
    return wb


# --- workbooks --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("feuille, premiere, colonnes", [
    (cl.F_DEPENSES, cl.PREMIERE_LIGNE, "ABCDE"), (cl.F_FLUX, cl.PREMIERE_LIGNE, "ABCDE"),
    (cl.F_SUPPORT, cl.PREMIERE_LIGNE, "ABCD"), (cl.F_COMPETENCES, cl.PREMIERE_LIGNE, "ABCD"),
    (cl.F_EFFECTIFS, cl.EFF_PREMIERE_LIGNE, "ABCDEF")])
def test_ligne_vide_au_milieu_d_un_tableau(tmp_path, feuille, premiere, colonnes):
    """Before: every row below the blank one was dropped and the workbook accepted (Dépenses: 88 of 320 rows)."""
    p = _classeur(tmp_path, "244500468")
    wb = _ouvrir(p)
    ws = wb[feuille]
    r = premiere + 3
    for c in colonnes:
        ws[f"{c}{r}"].value = None
    wb.save(p)
    lu = lire_classeur(p, domaines=NOMS_DOMAINES)
    assert not lu.valide
    assert f"cellule {feuille}!A{r}" in _messages(lu) and f"ligne {r} vide au milieu du tableau" in _messages(lu)


def test_colonne_a_videe_dans_une_ligne_remplie(tmp_path):
    p = _classeur(tmp_path)
    wb = _ouvrir(p)
    wb[cl.F_DEPENSES]["A8"].value = None
    wb.save(p)
    assert "colonne A vide dans une ligne remplie" in _messages(lire_classeur(p, domaines=NOMS_DOMAINES))


def test_cellule_fusionnee(tmp_path):
    p = _classeur(tmp_path)
    wb = _ouvrir(p)
    wb[cl.F_SUPPORT].merge_cells("C7:D7")   # the cost D7 disappears under the merge
    wb.save(p)
    m = _messages(lire_classeur(p, domaines=NOMS_DOMAINES))
    assert f"cellule {cl.F_SUPPORT}!D7" in m and "cellule fusionnée (C7:D7)" in m


def test_formule_sans_valeur_calculee(tmp_path):
    """A workbook written by a program (never opened in a spreadsheet) has formulas without cached values: openpyxl
    reads them as empty — before, accepted as « non renseigné »."""
    p = _classeur(tmp_path)
    wb = _ouvrir(p)
    wb[cl.F_SUPPORT]["D6"].value = "=C6*60"
    wb.save(p)
    m = _messages(lire_classeur(p, domaines=NOMS_DOMAINES))
    assert f"cellule {cl.F_SUPPORT}!D6" in m and "formule sans valeur calculée (=C6*60)" in m


def test_identite_b3_change_pour_une_autre_commune(tmp_path):
    """Before: B3 changed to 45043 made Orléans' workbook be imported as Chécy (B4–B6 never read)."""
    p = _classeur(tmp_path)
    wb = _ouvrir(p)
    wb[cl.F_IDENTITE][cl.ID_ENTITE].value = "45043"
    wb.save(p)
    lu = lire_classeur(p, domaines=NOMS_DOMAINES)
    m = _messages(lu)
    assert not lu.valide
    assert f"cellule {cl.F_IDENTITE}!B4" in m and "incohérent avec l'identifiant 45043" in m
    assert f"cellule {cl.F_IDENTITE}!B5" in m and f"cellule {cl.F_IDENTITE}!B6" in m


def test_extensions_de_classeurs(tmp_path):
    p = _classeur(tmp_path)
    p.rename(tmp_path / "COLLECTE_45234.XLSX")                # upper-case extension: read
    (tmp_path / "ancien.xls").write_bytes(b"\xd0\xcf\x11\xe0")  # Excel 97: refused by name
    lus = valider_dossier(tmp_path, domaines=NOMS_DOMAINES)
    assert [(lu.fichier.name, lu.valide) for lu in lus] == [("COLLECTE_45234.XLSX", True), ("ancien.xls", False)]
    assert "format « .xls » non lu" in _messages(lus[1])


def test_dossier_au_lieu_d_un_classeur(tmp_path):
    assert "c'est un dossier" in _messages(lire_classeur(tmp_path))


# --- scenarios --------------------------------------------------------------------------------------------
@pytest.fixture
def dossier(tmp_path) -> Path:
    for p in DOSSIER_SCENARIOS.glob("*.yaml"):
        shutil.copy(p, tmp_path / p.name)
    return tmp_path


def _texte(dossier: Path) -> str:
    return (dossier / "transfert-voirie.yaml").read_text(encoding="utf-8")


def _refus(chemin: Path) -> ErreurScenario:
    with pytest.raises(ErreurScenario) as e:
        charger_scenario(chemin, domaines=None)
    assert str(chemin) in str(e.value)
    return e.value


def test_meme_transfert_deux_fois(dossier):
    """Before: counted twice (savings gap 14 528 instead of 7 265 k€)."""
    t = _texte(dossier)
    action = t[t.index("  - type: transfert"):]
    (dossier / "a.yaml").write_text(t + action, encoding="utf-8")
    assert _refus(dossier / "a.yaml").erreurs == [
        ("actions[1]", "action identique à actions[0] : elle serait comptée deux fois ; n'en garder qu'une")]
    (dossier / "b.yaml").write_text(t + action.replace("part_fonction: 0.45", "part_fonction: 0.40"), encoding="utf-8")
    e = _refus(dossier / "b.yaml")
    assert e.cle == "actions[1].competence" and "déjà transférée par actions[0] pour la commune 45034" in e.raison


def test_cles_yaml_en_double(dossier):
    """Before: the last one won (horizon silently 2014–2016)."""
    t = _texte(dossier).replace("base: fil-de-l-eau.yaml",
                                "base: fil-de-l-eau.yaml\nhorizon: {debut: 2014, fin: 2020}\nhorizon: {debut: 2014, fin: 2016}")
    (dossier / "c.yaml").write_text(t, encoding="utf-8")
    assert "clé « horizon » écrite deux fois dans le même bloc (lignes 16 et 17)" in str(_refus(dossier / "c.yaml"))


def test_billion_laughs(dossier):
    """A 475-byte file: before, the error message embedded 351 MB (8 levels), MemoryError at 9."""
    texte = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
        f"{c}: &{c} [" + ",".join([f"*{p}"] * 9) + "]\n" for p, c in zip("abcdefgh", "bcdefghi"))
    (dossier / "lol.yaml").write_text(texte, encoding="utf-8")
    e = _refus(dossier / "lol.yaml")
    assert "alias" in str(e) and len(str(e)) < 500


def test_alias_raisonnable_accepte(dossier):
    t = _texte(dossier).replace("part_fonction: 0.45", "part_fonction: &p 0.45").replace(
        "part_personnel: 0.35", "part_personnel: *p")
    (dossier / "ok.yaml").write_text(t, encoding="utf-8")
    assert charger_scenario(dossier / "ok.yaml").actions[0].personnel.part_personnel == 0.45


@pytest.mark.parametrize("valeur", [".inf", "-.inf", ".nan"])
def test_nombres_non_finis(dossier, valeur):
    (dossier / "i.yaml").write_text(_texte(dossier).replace("part_fonction: 0.45", f"part_fonction: {valeur}"),
                                    encoding="utf-8")
    e = _refus(dossier / "i.yaml")
    assert e.cle == "actions[0].part_fonction" and "refusé" in e.raison


def test_encodages(dossier):
    t = _texte(dossier)
    (dossier / "cp.yaml").write_bytes(t.encode("cp1252"))
    assert "encodage non UTF-8 (ligne 1, octet 0xe9)" in str(_refus(dossier / "cp.yaml"))
    (dossier / "u16.yaml").write_bytes(t.encode("utf-16"))            # with its byte-order mark: decoded
    assert charger_scenario(dossier / "u16.yaml").nom == "Transfert de la voirie"
    (dossier / "u16le.yaml").write_bytes(t.encode("utf-16-le"))       # without: refused, never guessed
    assert "octet nul" in str(_refus(dossier / "u16le.yaml"))


def test_date_99999_dossier_et_fichier_non_scenario(dossier):
    (dossier / "d.yaml").write_text(_texte(dossier).replace("date: 2016-01-01", "date: 99999"), encoding="utf-8")
    assert _refus(dossier / "d.yaml").erreurs == [
        ("actions[0].date", "date impossible 99999 : année sur 4 chiffres attendue (AAAA ou AAAA-MM-JJ)")]
    (dossier / "rep.yaml").mkdir()
    assert "c'est un dossier" in str(_refus(dossier / "rep.yaml"))
    (dossier / "liste.yaml").write_text("- a\n- b\n", encoding="utf-8")
    assert "ce n'est pas un fichier de scénario" in str(_refus(dossier / "liste.yaml"))


def test_base_hors_du_dossier_jamais_recopiee(dossier, tmp_path_factory):
    secret = tmp_path_factory.mktemp("ailleurs") / "secret.yaml"
    secret.write_text("mot de passe: tres-secret\n", encoding="utf-8")
    (dossier / "b.yaml").write_text(_texte(dossier).replace("base: fil-de-l-eau.yaml", f"base: {secret}"),
                                    encoding="utf-8")
    e = _refus(dossier / "b.yaml")
    assert e.cle == "base" and "tres-secret" not in str(e)
    (dossier / "c.yaml").write_text(_texte(dossier).replace("base: fil-de-l-eau.yaml", "base: ../../etc/passwd"),
                                    encoding="utf-8")
    assert _refus(dossier / "c.yaml").cle == "base"
    (dossier / "syntaxe.yaml").write_text("nom: [pas fermé\n", encoding="utf-8")
    (dossier / "s.yaml").write_text(_texte(dossier).replace("base: fil-de-l-eau.yaml", "base: syntaxe.yaml"),
                                    encoding="utf-8")
    with pytest.raises(ErreurScenario, match="syntaxe.yaml » : YAML illisible ligne 2, colonne 1") as e:
        charger_scenario(dossier / "s.yaml")
    assert "pas fermé" not in str(e.value)
