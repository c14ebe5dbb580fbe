"""Readers of the DGFiP comptes individuels: every variant of FORMATS.md, the real Orléans sheets, bad input."""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from orleans_gov import ErreurDonnees, ratios_dgfip, read_comptes_communes, read_comptes_gfp, read_fiche_aeff
from orleans_gov.sources.csv_officiel import AvertissementColonnes
from orleans_gov.sources.dgfip import ENTETE_COMMUNES_2013, ENTETE_COMMUNES_2017, ENTETE_GFP

RACINE = Path(__file__).resolve().parents[1]
AEFF = RACINE / "data" / "raw" / "reel" / "finance" / "dgfip-aeff_orleans-45234_2013-2014.csv"

# A hand-made commune row (k€, pop1 = 10 000): fprod = 12 000 × 1000 / 10 000 = 1 200 €/hab,
# rperso = 5 000 / 10 000 × 100 = 50 %, rimpo1 = 4 800 / 12 000 × 100 = 40 %.
LIGNE = {"an": "2013", "dep": "045", "icom": "235", "inom": "ORMES", "reg": "024", "pop1": "10000",
         "prod": "12000.00", "fprod": "1200", "impo1": "4800.00", "fimpo1": "480", "rimpo1": "40.00",
         "charge": "10000.00", "fcharge": "1000", "perso": "5000.00", "fperso": "500", "rperso": "50.00",
         "caf": "1500.00", "fcaf": "150", "dette": "9000.00", "fdette": "900",
         "nomsst1": "communes de 5 000 à 10 000 hab", "nomsst2": "appartenant à un groupement fiscalisé (FPU)"}


def ecrire(tmp_path: Path, entete: list[str], lignes: list[dict], *, nom="f.csv", bom=False, encodage="utf-8",
           fin_vide=False) -> Path:
    texte = ";".join(entete) + (";" if fin_vide else "") + "\n"
    for l in lignes:
        texte += ";".join(l.get(c, "") for c in entete) + (";" if fin_vide else "") + "\n"
    p = tmp_path / nom
    data = texte.encode(encodage)
    p.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return p


def test_entete_2013_205_champs_avec_champ_vide_final(tmp_path):
    p = ecrire(tmp_path, ENTETE_COMMUNES_2013, [LIGNE], fin_vide=True)
    assert len(p.read_text().splitlines()[0].split(";")) == 205
    df = read_comptes_communes(p)
    assert df.loc[0, "code_insee"] == "45235" and df.loc[0, "an"] == 2013
    assert df.loc[0, "prod"] == 12000.0 and df.loc[0, "fprod"] == 1200.0
    assert np.isnan(df.loc[0, "pth"])  # empty cell = missing, never zero
    assert df.loc[0, "provenance"] == "réel"
    assert "" not in df.columns


def test_entete_2017_219_champs(tmp_path):
    assert len(ENTETE_COMMUNES_2017) == 219
    ligne = dict(LIGNE, an="2018", pfcaf="11900.00", fpfcaf="1190")
    df = read_comptes_communes(ecrire(tmp_path, ENTETE_COMMUNES_2017, [ligne]))
    assert df.loc[0, "pfcaf"] == 11900.0 and "rimpo2" not in df.columns


def test_export_api_bom_selection_ordre_quelconque_et_column_220(tmp_path):
    entete = ["icom", "pop1", "an", "dep", "perso", "fperso", "column_220"]
    p = ecrire(tmp_path, entete, [LIGNE], bom=True)
    df = read_comptes_communes(p)
    assert list(df["code_insee"]) == ["45235"]
    assert "column_220" not in df.columns and "\ufeffan" not in df.columns
    assert df.loc[0, "fperso"] == 500.0


def test_cp1252(tmp_path):
    ligne = dict(LIGNE, inom="ORLÉANS")
    p = ecrire(tmp_path, ["an", "dep", "icom", "inom", "nomsst1"], [ligne], encodage="cp1252")
    df = read_comptes_communes(p)
    assert df.loc[0, "inom"] == "ORLÉANS" and df.attrs["encodage"] == "cp1252"
    assert df.loc[0, "nomsst1"] == "communes de 5 000 à 10 000 hab"


def test_colonnes_inconnues_conservees_et_signalees_une_fois(tmp_path):
    p = ecrire(tmp_path, ["an", "dep", "icom", "nouveau_champ"], [dict(LIGNE, nouveau_champ="x")])
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        df = read_comptes_communes(p)
    avert = [x for x in w if issubclass(x.category, AvertissementColonnes)]
    assert len(avert) == 1 and "nouveau_champ" in str(avert[0].message)
    assert df.loc[0, "nouveau_champ"] == "x"


def test_ratios_reproduisent_les_fiches_reelles_d_orleans():
    """ratios_dgfip reproduces the DGFiP's printed f* (±1 €/hab) and r* (±0,05 point), 2013 and 2014."""
    fiche = read_fiche_aeff(AEFF)
    assert sorted(fiche["an"]) == [2013, 2014]
    calc = ratios_dgfip(fiche)
    n_f = n_r = 0
    for col in calc.columns:
        if col not in fiche.columns:
            continue
        ecart = (calc[col] - fiche[col]).abs()
        if col.startswith("f"):
            assert (ecart <= 1.0).all(), (col, ecart.tolist())
            n_f += 1
        else:
            assert (ecart <= 0.05).all(), (col, ecart.tolist())
            n_r += 1
    assert n_f >= 30 and n_r >= 18
    # one value checked by hand: 2013 perso/charge = 78 539 / 165 497 = 47,456 % (printed 47,46)
    o13 = fiche.set_index("an").loc[2013]
    assert calc.loc[fiche["an"] == 2013, "rperso"].iloc[0] == pytest.approx(47.456, abs=0.001)
    assert o13["rperso"] == 47.46
    # fprod 2013 = 180 447 × 1000 / 117 833 = 1 531,4 (printed 1 531)
    assert calc.loc[fiche["an"] == 2013, "fprod"].iloc[0] == pytest.approx(1531.38, abs=0.01)


def test_fiche_orleans_identite_cafn():
    o = read_fiche_aeff(AEFF).set_index("an").loc[2013]
    assert o["cafn"] == o["caf"] - o["remb"] == 30827 - 12232


# ------------------------------------------------------------------------------------------ bad input
def _attendre(p, *morceaux):
    with pytest.raises(ErreurDonnees) as exc:
        read_comptes_communes(p)
    msg = str(exc.value)
    assert str(p) in msg
    for m in morceaux:
        assert m in msg, msg
    return exc.value


def test_colonne_obligatoire_absente(tmp_path):
    p = ecrire(tmp_path, ["an", "dep", "prod"], [LIGNE])
    _attendre(p, "icom", "obligatoire")


def test_valeur_non_numerique(tmp_path):
    p = ecrire(tmp_path, ["an", "dep", "icom", "prod"], [LIGNE, dict(LIGNE, icom="236", prod="12a")])
    e = _attendre(p, "prod", "'12a'", "ligne 3")
    assert e.ligne == 3 and e.colonne == "prod"


def test_virgule_decimale(tmp_path):
    p = ecrire(tmp_path, ["an", "dep", "icom", "prod"], [dict(LIGNE, prod="12000,50")])
    _attendre(p, "prod", "'12000,50'", "virgule décimale", "ligne 2")


def test_octets_illisibles(tmp_path):
    p = tmp_path / "f.csv"
    p.write_bytes(b"an;dep;icom;inom\n2013;045;234;ORL\x81ANS\n")
    _attendre(p, "ligne 2", "ni en UTF-8 ni en CP1252")


def test_dep_icom_mal_formes(tmp_path):
    p = ecrire(tmp_path, ["an", "dep", "icom"], [dict(LIGNE, dep="45")])
    _attendre(p, "dep", "'45'", "3 caractères")
    p = ecrire(tmp_path, ["an", "dep", "icom"], [dict(LIGNE, icom="2345")], nom="g.csv")
    _attendre(p, "icom", "'2345'")


def test_lignes_en_double(tmp_path):
    p = ecrire(tmp_path, ["an", "dep", "icom", "prod"], [LIGNE, LIGNE])
    _attendre(p, "en double", "45235 / 2013", "ligne 3")


def test_population_negative(tmp_path):
    p = ecrire(tmp_path, ["an", "dep", "icom", "pop1"], [dict(LIGNE, pop1="-5")])
    _attendre(p, "pop1", "'-5'", "négative")


def test_par_habitant_contredit_les_montants(tmp_path):
    # 12 000 k€ / 10 000 hab = 1 200 €/hab, the file says 1 500
    p = ecrire(tmp_path, ["an", "dep", "icom", "pop1", "prod", "fprod"], [dict(LIGNE, fprod="1500")])
    _attendre(p, "fprod", "valeur 1500.0", "1200")


def test_ratio_contredit_les_montants(tmp_path):
    p = ecrire(tmp_path, ["an", "dep", "icom", "perso", "charge", "rperso"], [dict(LIGNE, rperso="55.00")])
    _attendre(p, "rperso", "valeur 55.0", "50.00")


def test_fichier_vide_et_entete_seule(tmp_path):
    p = tmp_path / "vide.csv"
    p.write_bytes(b"")
    _attendre(p, "vide")
    p2 = ecrire(tmp_path, ["an", "dep", "icom"], [], nom="entete.csv")
    _attendre(p2, "aucune ligne de données")


def test_mauvais_separateur(tmp_path):
    p = tmp_path / "virgules.csv"
    p.write_text("an,dep,icom\n2013,045,234\n", encoding="utf-8")
    _attendre(p, "séparateur", "','")


def test_ligne_tronquee(tmp_path):
    p = tmp_path / "tronque.csv"
    p.write_text("an;dep;icom;prod\n2013;045;234\n", encoding="utf-8")
    _attendre(p, "ligne 2", "3 champs au lieu des 4")


# ------------------------------------------------------------------------------------------ GFP
def _gfp(tmp_path, **kw):
    ligne = {"mpoid": "280000", "lbudg": "CA ORLEANS VAL DE LOIRE", "exer": "2014", "siren": "244500468",
             "pftot": "250000.00", "pftothab": "893", "revtot": "-24000.00", "revtothab": "-86"}
    ligne.update(kw)
    return ecrire(tmp_path, ENTETE_GFP, [ligne])


def test_lecteur_gfp(tmp_path):
    df = read_comptes_gfp(_gfp(tmp_path))
    assert df.loc[0, "siren"] == "244500468" and df.loc[0, "an"] == 2014
    assert df.loc[0, "revtot"] == -24000.0
    assert np.isnan(df.loc[0, "cftot"])


def test_gfp_par_habitant_incoherent(tmp_path):
    with pytest.raises(ErreurDonnees) as exc:
        read_comptes_gfp(_gfp(tmp_path, pftothab="999"))
    assert "pftothab" in str(exc.value) and "999" in str(exc.value)


def test_gfp_siren_vide_sans_defaut(tmp_path):
    p = _gfp(tmp_path, siren="")
    with pytest.raises(ErreurDonnees, match="siren"):
        read_comptes_gfp(p)
    assert read_comptes_gfp(p, siren_defaut="244500468").loc[0, "siren"] == "244500468"
