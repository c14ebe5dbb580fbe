"""Readers of the real reference files and the perimeter."""
from __future__ import annotations

from pathlib import Path

import pytest

from orleans_gov import ErreurDonnees, read_populations
from orleans_gov.base.territoire import code_insee_depuis_dgfip, strate_dgfip, verifier_entite, nom_entite

RACINE = Path(__file__).resolve().parents[1]


def test_populations_reelles():
    df = read_populations(RACINE / "data/raw/reel/population/population-municipale_22-communes_2016-2023.csv")
    assert len(df) == 22 * 5
    assert df.set_index(["code_insee", "an"]).loc[("45234", 2023), "population"] == 116357


@pytest.mark.parametrize("ligne,colonne,valeur", [
    ("45234,Orléans,2016,-3,src", "population_municipale", "-3"),
    ("99999,Ailleurs,2016,100,src", "code_insee", "99999"),
    ("45234,Orléans,2016,12a,src", "population_municipale", "12a"),
])
def test_populations_mauvaises(tmp_path, ligne, colonne, valeur):
    p = tmp_path / "pop.csv"
    p.write_text("code_insee,nom,millesime_recensement,population_municipale,source\n" + ligne + "\n", encoding="utf-8")
    with pytest.raises(ErreurDonnees) as exc:
        read_populations(p)
    msg = str(exc.value)
    assert str(p) in msg and colonne in msg and valeur in msg and "ligne 2" in msg


def test_populations_fichier_vide(tmp_path):
    p = tmp_path / "vide.csv"
    p.write_text("")
    with pytest.raises(ErreurDonnees, match="vide"):
        read_populations(p)


def test_territoire_codes():
    assert code_insee_depuis_dgfip("045", "234") == "45234"
    assert code_insee_depuis_dgfip("971", "101") == "97101"
    assert strate_dgfip(117833) == "communes de plus de 100 000 hab"
    assert strate_dgfip(10000) == "communes de 10 000 à 20 000 hab"
    assert strate_dgfip(9999) == "communes de 5 000 à 10 000 hab"
    assert verifier_entite("214502346") == "45234"  # a commune's SIREN maps to its INSEE code
    assert nom_entite("244500468").startswith("AgglO")
    with pytest.raises(KeyError, match="inconnue"):
        verifier_entite("45999")
