"""Issue 15, hostile input to the readers and the build: each case gives a clear ErreurDonnees naming the file, the
line (1-based, header = 1) and the column, or is read correctly — never a traceback, never a silent loss.
Catalogue of cases: docs/FIABILITE.md."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from orleans_gov.base.catalogue import Catalogue
from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.fichiers import ecrire_atomique, verifier_inscriptible
from orleans_gov.construction import charger, construire
from orleans_gov.sources.classeurs.importees import AvertissementImport, ecrire_tables, lire_tables_importees, tables_vides
from orleans_gov.sources.comptes import comptes_communes, fichiers_csv
from orleans_gov.sources.dgfip import read_comptes_communes, read_fiche_aeff
from orleans_gov.sources.referentiel import (read_communes_geo, read_moyennes_strates, read_police_municipale,
                                             read_populations)

RACINE = Path(__file__).resolve().parents[1]
REEL = RACINE / "data" / "raw" / "reel"
CAT = Catalogue.depuis(RACINE / "data")


def _ecrire(p: Path, texte: str) -> Path:
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(texte, encoding="utf-8")
    return p


def _remplacer_ligne(source: Path, cible: Path, n: int, ancien: str, nouveau: str) -> Path:
    """``source`` with, on its line ``n`` (1-based), ``ancien`` replaced by ``nouveau``."""
    lignes = source.read_text(encoding="utf-8").splitlines(keepends=True)
    assert ancien in lignes[n - 1], lignes[n - 1]
    lignes[n - 1] = lignes[n - 1].replace(ancien, nouveau, 1)
    return _ecrire(cible, "".join(lignes))


# --- populations ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("valeur, motif", [
    ("1e30", "invraisemblable"), ("2183.5", "entier"), ("inf", "non numérique"), ("-5", "négative"),
    ("", "manquante"), ("abc", "non numérique")])
def test_populations_valeurs_hostiles(tmp_path, valeur, motif):
    # line 2 of the real file: 45034,Boigny-sur-Bionne,2016,2158,…  (1e30 was stored as −9 223 372 036 854 775 808)
    p = _remplacer_ligne(CAT.populations, tmp_path / "pop.csv", 2, ",2158,", f",{valeur},")
    with pytest.raises(ErreurDonnees, match=motif) as e:
        read_populations(p)
    assert e.value.ligne == 2 and e.value.colonne == "population_municipale" and "pop.csv" in str(e.value)


@pytest.mark.parametrize("valeur", ["abc", "", "2016.5", "9999"])
def test_populations_millesime_hostile(tmp_path, valeur):
    p = _remplacer_ligne(CAT.populations, tmp_path / "pop.csv", 2, ",2016,", f",{valeur},")
    with pytest.raises(ErreurDonnees, match="année") as e:
        read_populations(p)
    assert (e.value.ligne, e.value.colonne) == (2, "millesime_recensement")


def test_dossier_au_lieu_d_un_fichier(tmp_path):
    for lecteur in (read_populations, read_police_municipale, read_moyennes_strates, read_communes_geo,
                    read_comptes_communes, read_fiche_aeff):
        with pytest.raises(ErreurDonnees, match="c'est un dossier"):
            lecteur(tmp_path)


# --- police, strata means --------------------------------------------------------------------------------
def test_police_effectif_negatif_et_non_numerique(tmp_path):
    # line 2: "45","LOIRET","45147","FLEURY_LES_AUBRAIS",2013,NA,12,2,0,…  (agents = 12)
    p = _remplacer_ligne(CAT.police_serie, tmp_path / "police.csv", 2, "2013,NA,12,", "2013,NA,-4,")
    with pytest.raises(ErreurDonnees, match="négative") as e:
        read_police_municipale(p)
    assert (e.value.ligne, e.value.colonne) == (2, "agents_police")
    p = _remplacer_ligne(CAT.police_serie, tmp_path / "police.csv", 2, "2013,NA,12,", "2013,NA,douze,")
    with pytest.raises(ErreurDonnees, match="non numérique") as e:
        read_police_municipale(p)
    assert e.value.ligne == 2


@pytest.mark.parametrize("ancien, nouveau, colonne", [
    ("2012,", "2012.5,", "an"), ("2012,", "9999,", "an"), (",271,", ",abc,", "valeur"), (",271,", ",inf,", "valeur"),
    (",271,", ",,", "valeur")])
def test_moyennes_strates_hostiles(tmp_path, ancien, nouveau, colonne):
    p = _remplacer_ligne(CAT.moyennes_strate, tmp_path / "m.csv", 2, ancien, nouveau)
    with pytest.raises(ErreurDonnees) as e:
        read_moyennes_strates(p)
    assert (e.value.ligne, e.value.colonne) == (2, colonne)   # 2012.5 was truncated to 2012


# --- geometry ---------------------------------------------------------------------------------------------
def test_geometrie_code_double_ou_nulle(tmp_path):
    import json
    geo = json.loads(CAT.communes_geojson.read_text(encoding="utf-8"))
    double = dict(geo, features=geo["features"] + [geo["features"][0]])
    p = _ecrire(tmp_path / "g.geojson", json.dumps(double))
    with pytest.raises(ErreurDonnees, match="deux fois") as e:
        read_communes_geo(p)
    assert e.value.valeur == geo["features"][0]["properties"]["code"]
    nulle = dict(geo, features=[dict(geo["features"][0], geometry=None)] + geo["features"][1:])
    with pytest.raises(ErreurDonnees, match="géométrie absente"):
        read_communes_geo(_ecrire(tmp_path / "n.geojson", json.dumps(nulle)))


# --- DGFiP comptes ----------------------------------------------------------------------------------------
ENTETE = "an;dep;icom;inom;pop1;perso;fperso\n"


@pytest.mark.parametrize("ligne, colonne, motif", [
    ("9999;045;234;ORLEANS;117833;10000;85", "an", "invraisemblable"),
    ("2013;045;abc;ORLEANS;117833;10000;85", "icom", "3 chiffres"),
    ("2013;045;234;ORLEANS;2183.5;100;46", "pop1", "entier"),
    ("2013;045;234;ORLEANS;1e30;10000;0", "pop1", "invraisemblable"),
    ("2013;045;234;ORLEANS;117833;inf;85", "perso", "non numérique"),
    ("2013;045;234;ORLEANS;117833;nan;85", "perso", "non numérique")])
def test_comptes_valeurs_hostiles(tmp_path, ligne, colonne, motif):
    p = _ecrire(tmp_path / "c.csv", ENTETE + "2013;045;018;BOIGNY;2158;1000;463\n" + ligne + "\n")
    with pytest.raises(ErreurDonnees, match=motif) as e:
        read_comptes_communes(p)
    assert (e.value.ligne, e.value.colonne) == (3, colonne)


def test_faute_de_frappe_dans_l_entete_refusee(tmp_path):
    # `popl` for `pop1`: before, kept as an unknown column (warning silenced by the build), pop1 missing everywhere
    p = _ecrire(tmp_path / "c.csv", ENTETE.replace("pop1", "popl") + "2013;045;234;ORLEANS;117833;10000;85\n")
    with pytest.raises(ErreurDonnees, match="faute de frappe probable pour « pop1 »") as e:
        read_comptes_communes(p)
    assert (e.value.ligne, e.value.colonne, e.value.fichier) == (1, "popl", str(p))
    # a genuinely new field is kept (and reported)
    p = _ecrire(tmp_path / "d.csv", "an;dep;icom;nouveauchamp\n2013;045;234;1\n")
    with pytest.warns(UserWarning, match="nouveauchamp"):
        assert "nouveauchamp" in read_comptes_communes(p).columns


def test_extensions_lues_ou_refusees(tmp_path):
    d = tmp_path / "communes"
    _ecrire(d / "X.CSV", ENTETE + "2013;045;234;ORLEANS;117833;10000;85\n")
    _ecrire(d / "README.md", "notes")
    assert [p.name for p in fichiers_csv(d)] == ["X.CSV"]          # upper-case extension read, notes left alone
    for nom in ("comptes.xls", "comptes.XLSX", "comptes.ods"):
        _ecrire(d / nom, "x")
        with pytest.raises(ErreurDonnees, match="fichier non lu") as e:
            fichiers_csv(d)
        assert nom in str(e.value)
        (d / nom).unlink()
    (d / "sous").mkdir()
    with pytest.raises(ErreurDonnees, match="sous-dossier"):
        fichiers_csv(d)


def test_gfp_annee_et_faute_de_frappe(tmp_path):
    from orleans_gov.sources.dgfip import read_comptes_gfp
    entete = "mpoid;lbudg;exer;siren;pftot;pftothab\n"
    p = _ecrire(tmp_path / "g.csv", entete + "100000;CA ORLEANS;9999;244500468;1000;10\n")
    with pytest.raises(ErreurDonnees, match="invraisemblable") as e:
        read_comptes_gfp(p)
    assert (e.value.ligne, e.value.colonne) == (2, "exer")
    p = _ecrire(tmp_path / "h.csv", entete.replace("pftothab", "pftothb") + "100000;CA ORLEANS;2013;244500468;1000;10\n")
    with pytest.raises(ErreurDonnees, match="faute de frappe probable pour « pftothab »"):
        read_comptes_gfp(p)


def test_enquete_police_2023_non_numerique(tmp_path):
    from orleans_gov.sources.referentiel import read_police_enquete_2023
    p = _remplacer_ligne(CAT.police_enquete_2023, tmp_path / "e.csv", 3, "Amilly,13835,0,4,", "Amilly,13835,0,quatre,")
    with pytest.raises(ErreurDonnees, match="nombre positif attendu") as e:
        read_police_enquete_2023(p)
    assert (e.value.ligne, e.value.colonne) == (3, "agents_police")


# --- AEFF sheets and case 8 -------------------------------------------------------------------------------
def test_aeff_double_et_non_numerique(tmp_path):
    texte = CAT.fiches_aeff_orleans.read_text(encoding="utf-8")
    lignes = texte.splitlines(keepends=True)
    # line 3 (impo1 2013, 77686 k€) repeated at the end with another value: the later one used to win
    p = _ecrire(tmp_path / "a.csv", texte + lignes[2].replace("77686.0", "99999.0"))
    with pytest.raises(ErreurDonnees, match="rubrique en double pour l'année 2013 \\(lignes 3, 64\\)") as e:
        read_fiche_aeff(p)
    assert (e.value.ligne, e.value.colonne) == (64, "code")
    p = _remplacer_ligne(CAT.fiches_aeff_orleans, tmp_path / "b.csv", 3, "77686.0", "n.d.")
    with pytest.raises(ErreurDonnees, match="non numérique") as e:
        read_fiche_aeff(p)
    assert (e.value.ligne, e.value.colonne) == (3, "keur")
    p = _remplacer_ligne(CAT.fiches_aeff_orleans, tmp_path / "c.csv", 3, "77686.0", "inf")
    with pytest.raises(ErreurDonnees):
        read_fiche_aeff(p)


def _national_depuis_fiche(an: int, decalage: dict[str, float] | None = None) -> str:
    """A national « comptes individuels » file (2013 layout, a subset of columns) for Orléans carrying the figures of
    the AEFF sheet of ``an`` — what the real national 2013 file holds for that row."""
    long = pd.read_csv(CAT.fiches_aeff_orleans, dtype={"code": str})
    g = long[long["an"] == an]
    row = {"an": str(an), "dep": "045", "icom": "234", "inom": "ORLEANS", "pop1": str(int(g["pop1"].iloc[0]))}
    for r in g.itertuples():
        row[r.code] = f"{r.keur:g}"
        row[f"f{r.code}"] = f"{r.eur_hab:g}"
        row[f"m{r.code}"] = f"{r.strate_eur_hab + (decalage or {}).get(f'm{r.code}', 0):g}"
        if not pd.isna(r.ratio_pct):
            row[f"r{r.code}"] = f"{r.ratio_pct:g}"
    return ";".join(row) + "\n" + ";".join(row.values()) + "\n"


def _dossier_reel(tmp_path: Path, national: str) -> Catalogue:
    cat = Catalogue.depuis(tmp_path)
    (cat.fiches_aeff_orleans.parent).mkdir(parents=True)
    shutil.copy(CAT.fiches_aeff_orleans, cat.fiches_aeff_orleans)
    _ecrire(cat.dgfip_communes_reel / "comptes-communes-2013.csv", national)
    return cat


def test_cas8_fichier_national_et_fiche_aeff_concilies(tmp_path):
    """Before: `make data` refused to build (two real rows for 45234 / 2013, message showing np.int64(2013)).
    Now: the figures are checked against each other within rounding and the national file wins (one rule)."""
    cat = _dossier_reel(tmp_path, _national_depuis_fiche(2013))
    df = comptes_communes(cat)
    orleans = df[df["code_insee"] == "45234"].set_index("an")
    assert list(orleans.index) == [2013, 2014]
    assert orleans.at[2013, "fichier"] == "comptes-communes-2013.csv"
    assert orleans.at[2014, "fichier"] == CAT.fiches_aeff_orleans.name
    assert orleans.at[2013, "impo1"] == 77686.0


def test_cas8_sources_reelles_en_desaccord(tmp_path):
    cat = _dossier_reel(tmp_path, _national_depuis_fiche(2013, {"mperso": 10.0}))
    with pytest.raises(ErreurDonnees, match="diffèrent au-delà de l'arrondi") as e:
        comptes_communes(cat)
    texte = str(e.value)
    assert "comptes-communes-2013.csv" in texte and CAT.fiches_aeff_orleans.name in texte and "np." not in texte
    assert e.value.colonne == "mperso"   # strata mean of personnel charges, 10 €/hab apart (tolerance 1 €/hab)


def test_messages_sans_numpy_et_valeurs_tronquees():
    import numpy as np
    e = ErreurDonnees("x", fichier="f.csv", valeur=(np.int64(2013), np.str_("45234")))
    assert "np." not in str(e) and "(2013, '45234')" in str(e)
    e = ErreurDonnees("x", valeur="a" * 10_000)
    assert len(str(e)) < 300 and "caractères de plus" in str(e)


# --- build -----------------------------------------------------------------------------------------------
def test_processed_en_lecture_seule(tmp_path, monkeypatch):
    """Before: a PermissionError traceback from tempfile after the whole build was computed. The suite runs as root
    here (permissions do not apply to root), so the refusal of the OS is simulated on os.access."""
    shutil.copytree(REEL / "competences", tmp_path / "raw" / "reel" / "competences")
    d = tmp_path / "processed"
    d.mkdir()
    import orleans_gov.base.fichiers as fichiers
    monkeypatch.setattr(fichiers.os, "access", lambda chemin, mode: not (mode & os.W_OK))
    with pytest.raises(ErreurDonnees, match="lecture seule") as e:
        construire(tmp_path, tables=["competences"])
    assert e.value.fichier == str(d)
    with pytest.raises(ErreurDonnees, match="lecture seule"):
        ecrire_atomique(d / "t.txt", "x")
    monkeypatch.undo()
    autre = tmp_path / "autre"
    autre.write_text("un fichier")
    with pytest.raises(ErreurDonnees, match="un fichier occupe la place du dossier|impossible de créer"):
        verifier_inscriptible(autre)


def test_parquet_endommage_nomme_par_charger(tmp_path):
    cat = Catalogue.depuis(tmp_path)
    cat.processed.mkdir(parents=True)
    cat.table("competences").write_bytes(b"PAR1 pas un parquet")
    with pytest.raises(ErreurDonnees, match="table « competences » illisible.*orleans-gov donnees"):
        charger("competences", tmp_path)


def test_csv_importe_modifie_a_la_main(tmp_path):
    tables = tables_vides()
    tables["effectifs_totaux"] = pd.DataFrame([{"entite": "45234", "an": 2013, "effectif": 10.0, "etp": 9.5,
                                                "charges_personnel": 500.0, "provenance": "réel", "fichier": "c.xlsx"}])
    ecrire_tables(tables, tmp_path)
    assert lire_tables_importees(tmp_path)["effectifs_totaux"]["etp"].tolist() == [9.5]
    p = tmp_path / "effectifs_totaux.csv"
    p.write_text(p.read_text(encoding="utf-8").replace("9.5", "9.6"), encoding="utf-8")
    with pytest.warns(AvertissementImport, match="modifié depuis son import"):
        assert lire_tables_importees(tmp_path)["effectifs_totaux"]["etp"].tolist() == [9.6]
    p.write_text(p.read_text(encoding="utf-8").replace("9.6", "neuf"), encoding="utf-8")
    with pytest.warns(AvertissementImport), pytest.raises(ErreurDonnees, match="nombre fini attendu") as e:
        lire_tables_importees(tmp_path)
    assert (e.value.ligne, e.value.colonne) == (2, "etp")


def test_faute_de_frappe_arrete_la_construction(tmp_path):
    """Case 5 end to end: the folder read by the build (before, `make data` exited 0 with pop1 missing)."""
    national = _national_depuis_fiche(2013).replace("pop1", "popl", 1)
    cat = _dossier_reel(tmp_path, national)
    with pytest.raises(ErreurDonnees, match="faute de frappe probable pour « pop1 »") as e:
        comptes_communes(cat)
    assert e.value.fichier.endswith("comptes-communes-2013.csv") and e.value.colonne == "popl"
