"""Collection workbooks: generation, validation (file + sheet + cell in every message), import, sample."""
from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from orleans_gov.base.catalogue import Catalogue
from orleans_gov.cli.collecte import configurer_cli
from orleans_gov.construction import charger
from orleans_gov.construction.collecte import construire_tables_collecte, empreinte_entrees_exemple, reel_sur_exemple
from orleans_gov.echantillon.classeurs import generer_classeurs_exemple
from orleans_gov.sources.classeurs import importees, modele as cl, referentiels as ref
from orleans_gov.sources.classeurs.importees import lire_tables_importees
from orleans_gov.sources.classeurs.lecture import importer_dossier, lire_classeur, valider_dossier
from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.territoire import CODES_INSEE, SIREN_AGGLO

RACINE = Path(__file__).resolve().parents[1]
COMPETENCES = RACINE / "data" / "raw" / "reel" / "competences" / "competences_agglo-orleans.csv"
DOMAINES = cl.domaines_competences(COMPETENCES)
NOMS_DOMAINES = [d.domaine for d in DOMAINES]


# ------------------------------------------------------------------------------------------------------
def _effectifs_connus() -> pd.DataFrame:
    """A known staff grid: every cell filled, values chosen by hand (ETP ≤ effectif)."""
    lignes = []
    for i, fil in enumerate(ref.FILIERES):
        for j, cat in enumerate(ref.CATEGORIES):
            for k, statut in enumerate(ref.STATUTS):
                n = float((i + 1) * (j + 2) + k)          # e.g. administrative A titulaire: 1 × 2 + 0 = 2
                lignes.append({"filiere": fil, "categorie": cat, "statut": statut, "effectif": n,
                               "etp": round(n * 0.9, 1) if n else 0.0})
    return pd.DataFrame(lignes)


def _donnees_connues(entite: str) -> dict:
    eff = _effectifs_connus()
    sup = pd.DataFrame({"fonction_support": list(ref.FONCTIONS_SUPPORT),
                        "etp": [1.5, 2.0, 0.0, 3.25, 0.5, 1.0, 4.0, 2.5],
                        "cout": [101.7, 88.0, 0.0, 150.25, 25.0, 44.4, 140.0, 90.1]})
    dep = pd.DataFrame([{"an": an, "fonction": f, "section": s, "montant": round(1000 * int(f) + an / 100 + (s == "investissement") * 0.5, 2)}
                        for an in (2012, 2013) for f in ref.FONCTIONS_M14 for s in ref.SECTIONS])
    comp = pd.DataFrame({"domaine": NOMS_DOMAINES,
                         "exercee": [True, False] * (len(NOMS_DOMAINES) // 2) + [True] * (len(NOMS_DOMAINES) % 2)})
    d = {"effectifs": eff, "charges_personnel": 12345.67, "fonctions_support": sup, "depenses_fonction": dep,
         "competences_exercees": comp}
    if entite == SIREN_AGGLO:
        d["flux_agglo_communes"] = pd.DataFrame([{"code_insee": c, "an": an, "attribution_compensation": -12.5 + i,
                                                  "dsc": 3.75 * i} for an in (2012, 2013)
                                                 for i, c in enumerate(CODES_INSEE)])
    return d


def _classeur(dossier: Path, entite: str = "45234", remplir: bool = True) -> Path:
    p = cl.generer_classeur(entite, 2013, dossier / cl.nom_fichier(entite), domaines=DOMAINES,
                            annees_series=[2012, 2013])
    if remplir:
        cl.remplir_classeur(p, _donnees_connues(entite))
    return p


def _modifier(chemin: Path, feuille: str, cellule: str, valeur) -> None:
    wb = load_workbook(chemin)
    wb[feuille][cellule].value = valeur
    wb.save(chemin)


def _messages(lu) -> list[str]:
    return [str(e) for e in lu.erreurs]


# ------------------------------------------------------------------------------------------------------
def test_nom_fichier():
    assert cl.nom_fichier("45234") == "collecte_45234_Orleans.xlsx"
    assert cl.nom_fichier(SIREN_AGGLO) == "collecte_244500468_AgglO.xlsx"
    assert cl.nom_fichier("45075") == "collecte_45075_La-Chapelle-Saint-Mesmin.xlsx"
    assert cl.nom_fichier("45089") == "collecte_45089_Checy.xlsx"


def test_classeur_genere_structure_identite_protection(tmp_path):
    p = _classeur(tmp_path, "45089", remplir=False)
    wb = load_workbook(p)
    assert wb.sheetnames == list(cl.FEUILLES_COMMUNES)
    ident = wb[cl.F_IDENTITE]
    assert ident[cl.ID_ENTITE].value == "45089"
    assert ident[cl.ID_NOM].value == "Chécy"
    assert ident[cl.ID_SIREN].value == "214500894"
    assert ident[cl.ID_ANNEE].value == 2013
    assert ident[cl.ID_NATURE].value == ref.MENTION_REEL
    for nom in wb.sheetnames:
        assert wb[nom].protection.sheet, nom
    eff = wb[cl.F_EFFECTIFS]
    assert eff["A7"].value == "administrative" and eff["B7"].value == "A"
    assert eff["A36"].value == "emplois non cités" and eff["B36"].value == "C"
    assert eff["A37"].value == "Total"
    assert eff["A7"].protection.locked and not eff["D7"].protection.locked and not eff["C40"].protection.locked
    assert ident[cl.ID_ENTITE].protection.locked
    assert len(eff.data_validations.dataValidation) >= 2
    comp = wb[cl.F_COMPETENCES]
    listes = [dv for dv in comp.data_validations.dataValidation if dv.type == "list"]
    assert listes and listes[0].formula1 == '"Oui,Non"'
    assert [c.value for c in wb[cl.F_DEPENSES]["B"][5:15]] == list(ref.FONCTIONS_M14)
    agglo = load_workbook(_classeur(tmp_path, SIREN_AGGLO, remplir=False))
    assert agglo.sheetnames == list(cl.FEUILLES_AGGLO)
    assert agglo[cl.F_IDENTITE][cl.ID_INSEE].value in (None, "")
    assert agglo[cl.F_FLUX].max_row == 5 + 22 * 2


def test_classeur_vierge_refuse_totaux_obligatoires(tmp_path):
    lu = lire_classeur(_classeur(tmp_path, remplir=False), domaines=NOMS_DOMAINES)
    assert not lu.valide
    assert any("Effectifs!C37" in m and "non renseignée" in m for m in _messages(lu))
    assert any("Effectifs!C40" in m for m in _messages(lu))


def test_aller_retour_valeurs_identiques(tmp_path):
    """generate → fill with known values → import reproduces the values exactly."""
    for entite in ("45234", SIREN_AGGLO):
        p = _classeur(tmp_path, entite)
        lu = lire_classeur(p, domaines=NOMS_DOMAINES)
        assert lu.valide, _messages(lu)
        assert (lu.entite, lu.annee, lu.provenance) == (entite, 2013, "réel")
        connu = _donnees_connues(entite)
        eff = lu.tables["effectifs"].merge(connu["effectifs"], on=["filiere", "categorie", "statut"],
                                           suffixes=("", "_connu"))
        assert len(eff) == 60
        assert (eff["effectif"] == eff["effectif_connu"]).all() and (eff["etp"] == eff["etp_connu"]).all()
        tot = lu.tables["effectifs_totaux"].iloc[0]
        assert tot["charges_personnel"] == 12345.67
        assert tot["effectif"] == connu["effectifs"]["effectif"].sum()
        sup = lu.tables["fonctions_support"]
        assert sup["etp"].tolist() == [1.5, 2.0, 0.0, 3.25, 0.5, 1.0, 4.0, 2.5]
        assert sup["cout"].tolist() == [101.7, 88.0, 0.0, 150.25, 25.0, 44.4, 140.0, 90.1]
        dep = lu.tables["depenses_fonction"]
        assert list(dep.columns) == ["entite", "an", "fonction", "libelle_fonction", "section", "montant",
                                     "provenance"]
        ligne = dep[(dep["an"] == 2013) & (dep["fonction"] == "8") & (dep["section"] == "investissement")]
        assert ligne["montant"].item() == 1000 * 8 + 20.13 + 0.5
        assert ligne["libelle_fonction"].item() == "Aménagement, services urbains, environnement"
        comp = lu.tables["competences_exercees"]
        assert comp["exercee"].tolist() == connu["competences_exercees"]["exercee"].tolist()
        if entite == SIREN_AGGLO:
            flux = lu.tables["flux_agglo_communes"]
            assert list(flux.columns) == ["code_insee", "an", "attribution_compensation", "dsc", "provenance"]
            f = flux[(flux["code_insee"] == CODES_INSEE[3]) & (flux["an"] == 2012)]
            assert f["attribution_compensation"].item() == -12.5 + 3 and f["dsc"].item() == 3.75 * 3
        else:
            assert "flux_agglo_communes" not in lu.tables


def test_texte_dans_une_cellule_numerique(tmp_path):
    p = _classeur(tmp_path)
    _modifier(p, cl.F_EFFECTIFS, "D7", "12,5")
    lu = lire_classeur(p, domaines=NOMS_DOMAINES)
    m = [x for x in _messages(lu) if "Effectifs!D7" in x]
    assert m and "collecte_45234_Orleans.xlsx" in m[0] and "nombre est attendu" in m[0] and "'12,5'" in m[0]


def test_etp_negatif(tmp_path):
    p = _classeur(tmp_path)
    _modifier(p, cl.F_EFFECTIFS, "F8", -1.5)
    lu = lire_classeur(p, domaines=NOMS_DOMAINES)
    m = [x for x in _messages(lu) if "Effectifs!F8" in x]
    assert m and "négative" in m[0] and "collecte_45234_Orleans.xlsx" in m[0]
    e = lu.erreurs[[str(x) for x in lu.erreurs].index(m[0])]
    assert (e.fichier, e.feuille, e.cellule, e.valeur) == ("collecte_45234_Orleans.xlsx", "Effectifs", "F8", -1.5)


def test_etp_superieur_a_l_effectif(tmp_path):
    p = _classeur(tmp_path)
    _modifier(p, cl.F_EFFECTIFS, "C7", 2)   # administrative A titulaires: 2 agents
    _modifier(p, cl.F_EFFECTIFS, "D7", 2.5)
    lu = lire_classeur(p, domaines=NOMS_DOMAINES)
    assert any("Effectifs!D7" in m and "supérieurs à l'effectif" in m for m in _messages(lu))


def test_filiere_inconnue(tmp_path):
    p = _classeur(tmp_path)
    _modifier(p, cl.F_EFFECTIFS, "A10", "juridique")
    lu = lire_classeur(p, domaines=NOMS_DOMAINES)
    assert any("Effectifs!A10" in m and "filière inconnue" in m and "juridique" in m for m in _messages(lu))


def test_feuille_absente(tmp_path):
    p = _classeur(tmp_path)
    wb = load_workbook(p)
    del wb[cl.F_SUPPORT]
    wb.save(p)
    lu = lire_classeur(p, domaines=NOMS_DOMAINES)
    assert any("collecte_45234_Orleans.xlsx" in m and "« Fonctions support »" in m and "absente" in m
               for m in _messages(lu))


def test_total_qui_ne_correspond_pas(tmp_path):
    p = _classeur(tmp_path)
    somme = _effectifs_connus().query("statut == 'titulaire'")["effectif"].sum()
    _modifier(p, cl.F_EFFECTIFS, "C37", somme + 1)
    lu = lire_classeur(p, domaines=NOMS_DOMAINES)
    m = [x for x in _messages(lu) if "Effectifs!C37" in x]
    assert m and f"({somme + 1:g})" in m[0] and f"({somme:g})" in m[0]


def test_entite_hors_perimetre(tmp_path):
    p = _classeur(tmp_path)
    _modifier(p, cl.F_IDENTITE, cl.ID_ENTITE, "45208")  # Montargis: not a member of the agglomeration
    lu = lire_classeur(p, domaines=NOMS_DOMAINES)
    assert any("Identité!B3" in m and "hors du périmètre" in m and "45208" in m for m in _messages(lu))


def test_deux_classeurs_pour_la_meme_entite(tmp_path):
    p = _classeur(tmp_path)
    shutil.copy(p, tmp_path / "copie_orleans.xlsx")
    lus = valider_dossier(tmp_path, domaines=NOMS_DOMAINES)
    assert len(lus) == 2 and not any(lu.valide for lu in lus)
    for lu in lus:
        m = _messages(lu)[0]
        assert "Identité!B3" in m and "collecte_45234_Orleans.xlsx" in m and "copie_orleans.xlsx" in m
        assert lu.fichier.name in m


def test_tous_les_problemes_d_un_classeur_sont_signales(tmp_path):
    p = _classeur(tmp_path)
    wb = load_workbook(p)
    wb[cl.F_EFFECTIFS]["D7"].value = "n.d."
    wb[cl.F_SUPPORT]["C8"].value = -2
    wb[cl.F_DEPENSES]["E9"].value = "beaucoup"
    wb[cl.F_COMPETENCES]["D6"].value = "Peut-être"
    wb.save(p)
    msgs = _messages(lire_classeur(p, domaines=NOMS_DOMAINES))
    for cellule in ("Effectifs!D7", "Effectifs!D37", "Fonctions support!C8", "Dépenses par politique!E9",
                    "Compétences!D6"):
        assert any(cellule in m for m in msgs), (cellule, msgs)


def test_fichier_illisible(tmp_path):
    p = tmp_path / "faux.xlsx"
    p.write_text("pas un classeur")
    lu = lire_classeur(p)
    assert not lu.valide and "faux.xlsx" in _messages(lu)[0] and "illisible" in _messages(lu)[0]


def test_import_dossier_valides_importes_invalides_refuses(tmp_path):
    src = tmp_path / "retours"
    _classeur(src, "45234")
    mauvais = _classeur(src, "45089")
    _modifier(mauvais, cl.F_EFFECTIFS, "D7", "douze")
    rapport = importer_dossier(src, tmp_path / "dest", domaines=NOMS_DOMAINES)
    assert [c.entite for c in rapport.importes] == ["45234"]
    assert [c.entite for c in rapport.refuses] == ["45089"]
    assert "REFUSÉ" in rapport.resume() and "collecte_45089_Checy.xlsx" in rapport.resume()
    tables = lire_tables_importees(tmp_path / "dest")
    assert set(tables["effectifs"]["entite"]) == {"45234"}
    assert set(tables["depenses_fonction"]["entite"]) == {"45234"}
    assert (tables["effectifs"]["provenance"] == "réel").all()
    for nom, colonnes in importees.TABLES.items():
        assert list(tables[nom].columns) == list(colonnes)


def test_csv_identiques_octet_pour_octet(tmp_path):
    src = tmp_path / "retours"
    _classeur(src, SIREN_AGGLO)
    _classeur(src, "45302")
    importer_dossier(src, tmp_path / "a", domaines=NOMS_DOMAINES)
    importer_dossier(src, tmp_path / "b", domaines=NOMS_DOMAINES)
    for nom in importees.TABLES:
        assert (tmp_path / "a" / f"{nom}.csv").read_bytes() == (tmp_path / "b" / f"{nom}.csv").read_bytes()


def test_import_successifs_fusionnes(tmp_path):
    dest = tmp_path / "dest"
    _classeur(tmp_path / "r1", "45234")
    importer_dossier(tmp_path / "r1", dest, domaines=NOMS_DOMAINES)
    p = _classeur(tmp_path / "r2", "45302")
    importer_dossier(tmp_path / "r2", dest, domaines=NOMS_DOMAINES)
    assert set(lire_tables_importees(dest)["effectifs_totaux"]["entite"]) == {"45234", "45302"}
    # Saran sends a corrected workbook: its rows are replaced, Orléans' kept
    _modifier(p, cl.F_EFFECTIFS, "C40", 999.5)
    importer_dossier(tmp_path / "r2", dest, domaines=NOMS_DOMAINES)
    tot = lire_tables_importees(dest)["effectifs_totaux"].set_index("entite")
    assert tot.loc["45302", "charges_personnel"] == 999.5 and tot.loc["45234", "charges_personnel"] == 12345.67
    assert len(lire_tables_importees(dest)["effectifs"]) == 2 * 60


def test_dossier_vide_ou_absent(tmp_path):
    with pytest.raises(ErreurDonnees, match="aucun classeur"):
        valider_dossier(tmp_path)
    with pytest.raises(ErreurDonnees, match="introuvable"):
        valider_dossier(tmp_path / "absent")


def _dossier_donnees(tmp_path: Path) -> Path:
    d = tmp_path / "donnees"
    (d / "raw" / "reel" / "competences").mkdir(parents=True)
    shutil.copy(COMPETENCES, d / "raw" / "reel" / "competences" / COMPETENCES.name)
    return d


def test_cli_generer_puis_importer(tmp_path, capsys):
    donnees = _dossier_donnees(tmp_path)
    parser = argparse.ArgumentParser()
    configurer_cli(parser.add_subparsers(dest="commande"))
    args = parser.parse_args(["collecte", "generer", "--sortie", str(tmp_path / "vierges"), "--annees", "2012-2013",
                              "--dossier-donnees", str(donnees)])
    assert args.func(args) == 0
    vierges = sorted(p.name for p in (tmp_path / "vierges").glob("*.xlsx"))
    assert len(vierges) == 23 and "collecte_244500468_AgglO.xlsx" in vierges
    # two returned workbooks: Orléans filled correctly, Bou left empty (invalid)
    retours = tmp_path / "retours"
    retours.mkdir()
    for nom in ("collecte_45234_Orleans.xlsx", "collecte_45043_Bou.xlsx"):
        shutil.copy(tmp_path / "vierges" / nom, retours / nom)
    cl.remplir_classeur(retours / "collecte_45234_Orleans.xlsx", _donnees_connues("45234"))
    args = parser.parse_args(["collecte", "importer", str(retours), "--dossier-donnees", str(donnees)])
    assert args.func(args) == 1
    sortie = capsys.readouterr()
    assert "importé : collecte_45234_Orleans.xlsx" in sortie.out
    assert "REFUSÉ" in sortie.out and "collecte_45043_Bou.xlsx" in sortie.out
    cat = Catalogue.depuis(donnees)
    assert (cat.collecte / "effectifs.csv").exists()
    eff = pd.read_parquet(cat.table("effectifs"))
    assert set(eff["entite"]) == {"45234"} and (eff["provenance"] == "réel").all()


def test_construire_sans_echantillon_reel_seul(tmp_path):
    donnees = _dossier_donnees(tmp_path)
    cat = Catalogue.depuis(donnees)
    _classeur(tmp_path / "r", "45234")
    importer_dossier(tmp_path / "r", cat.collecte, domaines=NOMS_DOMAINES)
    tables = construire_tables_collecte(cat)
    assert set(tables) == set(importees.TABLES)
    assert set(tables["effectifs"]["entite"]) == {"45234"}
    assert tables["flux_agglo_communes"].empty


def test_priorite_reel_sur_exemple():
    ex = pd.DataFrame({"entite": ["45234", "45302"], "an": [2013, 2013], "effectif": [10.0, 20.0],
                       "etp": [9.0, 18.0], "charges_personnel": [400.0, 800.0], "provenance": ["exemple"] * 2,
                       "fichier": ["a", "b"]})
    reel = pd.DataFrame({"entite": ["45234"], "an": [2013], "effectif": [11.0], "etp": [10.5],
                         "charges_personnel": [420.0], "provenance": ["réel"], "fichier": ["c"]})
    out = reel_sur_exemple("effectifs_totaux", reel, ex).set_index("entite")
    assert out.loc["45234", "provenance"] == "réel" and out.loc["45234", "effectif"] == 11.0
    assert out.loc["45302", "provenance"] == "exemple"
    assert len(out) == 2


@pytest.mark.slow
def test_classeurs_exemple(donnees_construites, tmp_path):
    """The sample workbooks: labelled as sample, consistent with the finances and the sample tables."""
    cat = Catalogue.depuis(donnees_construites)
    chemins = generer_classeurs_exemple(cat, 20140330, sortie=tmp_path / "ex")
    assert len(chemins) == 23
    assert load_workbook(chemins[0])[cl.F_IDENTITE][cl.ID_NATURE].value == "Données d'exemple — ne pas diffuser"
    rapport = importer_dossier(tmp_path / "ex", tmp_path / "csv", domaines=NOMS_DOMAINES, fusion=False)
    assert not rapport.refuses, rapport.resume()
    t = lire_tables_importees(tmp_path / "csv")
    for nom, df in t.items():
        assert (df["provenance"] == "exemple").all(), nom
    # cell values are deterministic: same CSV bytes as the build's own import
    for nom in importees.TABLES:
        assert (tmp_path / "csv" / f"{nom}.csv").read_bytes() == \
            (cat.sample / "collecte" / "importe" / f"{nom}.csv").read_bytes(), nom
    # personnel charges = DGFiP perso of 2013 (Orléans: the real sheet, 78 539 k€); cost per FTE plausible
    tot = t["effectifs_totaux"].set_index("entite")
    assert tot.loc["45234", "charges_personnel"] == 78539.0
    cout = tot["charges_personnel"] * 1000 / tot["etp"]
    assert cout.between(30_000, 50_000).all(), cout
    fin = charger("finances_communes", donnees_construites)
    perso = fin[fin["an"] == 2013].set_index("code_insee")["perso"]
    assert (tot.loc[perso.index, "charges_personnel"].round(2) == perso.round(2)).all()
    # spending by policy and AC/DSC: exactly the lead's sample tables
    dep = pd.read_csv(cat.depenses_fonction_sample, dtype={"entite": str, "fonction": str})
    m = dep.merge(t["depenses_fonction"], on=["entite", "an", "fonction", "section"], suffixes=("", "_w"))
    assert len(m) == len(dep) == len(t["depenses_fonction"]) and (m["montant"] == m["montant_w"]).all()
    flux = pd.read_csv(cat.flux_sample, dtype={"code_insee": str})
    m = flux.merge(t["flux_agglo_communes"], on=["code_insee", "an"], suffixes=("", "_w"))
    assert len(m) == len(flux) and (m["dsc"] == m["dsc_w"]).all()
    # police municipale of the six communes of the real series = real 2013 agents (Orléans: 108)
    eff = t["effectifs"]
    pm = eff[(eff["entite"] == "45234") & (eff["filiere"] == "police municipale")]["effectif"].sum()
    assert pm == 108


def test_empreinte_des_entrees_de_l_exemple(tmp_path):
    """The sample workbooks are regenerated when what they are computed from changes."""
    cat = Catalogue.depuis(_dossier_donnees(tmp_path))
    e1 = empreinte_entrees_exemple(cat)
    assert e1 == empreinte_entrees_exemple(cat)
    cat.sample.mkdir(parents=True)
    cat.flux_sample.write_text("code_insee,an,attribution_compensation,dsc,provenance\n")
    assert empreinte_entrees_exemple(cat) != e1


def test_jeu_complet_genere_puis_rempli_s_importe(tmp_path):
    """The 23 generated workbooks, filled with valid values, all import (one CSV per table, 23 entities)."""
    chemins = cl.generer_classeurs(tmp_path / "jeu", 2013, domaines=DOMAINES, annees_series=[2012, 2013])
    assert len(chemins) == 23
    for p in chemins:
        entite = p.name.split("_")[1]
        cl.remplir_classeur(p, _donnees_connues(entite))
    rapport = importer_dossier(tmp_path / "jeu", tmp_path / "csv", domaines=NOMS_DOMAINES)
    assert not rapport.refuses, rapport.resume()
    t = lire_tables_importees(tmp_path / "csv")
    assert t["effectifs_totaux"]["entite"].nunique() == 23
    assert len(t["effectifs"]) == 23 * 60
    assert len(t["depenses_fonction"]) == 23 * 2 * 10 * 2
    assert len(t["flux_agglo_communes"]) == 22 * 2
