"""``extraire balances`` without ``--population`` loads neither pandas nor pyarrow (issue 16, point 2), and
``extraire comptes`` (default options) does not load pandas: balances' outputs are written by DuckDB with the
pandas metadata that ``to_parquet`` would write, so that ``pandas.read_parquet`` gives back the same frames
(text as ``string``, ``an`` as int64); comptes' outputs by pyarrow alone, byte for byte ``to_parquet``'s."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.sources import colonnes_communes
from orleans_gov.sources.dgfip import ENTETE_COMMUNES_2013
from orleans_gov.sources.nationaux import balances, rapport
from test_extraction import _attendu_communes, fichier_balances, fichier_comptes


@pytest.mark.parametrize("dtypes", [balances.DTYPES_PERIMETRE, balances.DTYPES_COMMUNES,
                                    {"a": "string", "b": "float64", "c": "int64"}])
def test_metadonnees_ecrites_sans_pandas_egales_a_celles_de_pyarrow(dtypes):
    vide = pd.DataFrame({c: pd.Series([], dtype=t) for c, t in dtypes.items()})
    attendu = pa.Schema.from_pandas(vide, preserve_index=False).metadata[b"pandas"].decode("utf-8")
    assert rapport.metadonnees_pandas(dtypes) == attendu


def test_autre_dtype_par_pandas():
    """A dtype outside the fast path (here a nullable integer) still goes through pyarrow and pandas."""
    m = rapport.metadonnees_pandas({"n": "Int64"})
    assert '"pandas_type": "int64", "numpy_type": "Int64"' in m


def test_balances_sans_population_n_importe_ni_pandas_ni_pyarrow(tmp_path):
    f = fichier_balances(tmp_path / "bal.csv")
    code = ("import sys; from orleans_gov.cli import main; r = main(sys.argv[1:]); "
            "print('MODULES', 'pandas' in sys.modules, 'pyarrow' in sys.modules); sys.exit(r)")
    r = subprocess.run([sys.executable, "-c", code, "extraire", "balances", str(f), "--sortie", str(tmp_path / "o")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "MODULES False False" in r.stdout
    p = pd.read_parquet(tmp_path / "o" / "depenses_fonction_perimetre.parquet")
    assert p.dtypes.astype(str).to_dict() == {"entite": "string", "an": "int64", "fonction": "string",
                                              "section": "string", "montant": "float64", "provenance": "string"}
    assert (p["provenance"] == "réel").all() and p["fonction"].isna().any()


# ----------------------------------------------------------------------------------------------------
# extraire comptes: outputs written by pyarrow alone (rapport.ecrire_table), pandas never imported


def test_ecrire_table_memes_octets_que_to_parquet(tmp_path):
    """Every dtype of the comptes outputs, with missing values, NaN, -0.0, empty and accented strings: the file
    of ecrire_table is byte for byte the one pandas writes for the same frame."""
    df = pd.DataFrame({"code": pd.Series(["45234", "45034", "2A004"], dtype=object),
                       "an": pd.Series([2019, 2020, 2021], dtype="int64"),
                       "nom": pd.Series(["Orléans", None, ""], dtype="string"),
                       "x": pd.Series([1.5, float("nan"), -0.0], dtype="float64"),
                       "inconnue": pd.Series(["", "a;b", "Œ"], dtype=object)})
    df["provenance"] = "réel"
    assert str(df["provenance"].dtype) == "str"
    df.to_parquet(tmp_path / "pandas.parquet", index=False)
    colonnes = {"code": ("object", ["45234", "45034", "2A004"]), "an": ("int64", [2019, 2020, 2021]),
                "nom": ("string", ["Orléans", None, ""]), "x": ("float64", [1.5, float("nan"), -0.0]),
                "inconnue": ("object", ["", "a;b", "Œ"]), "provenance": ("str", ["réel"] * 3)}
    assert rapport.ecrire_table(colonnes, tmp_path / "table.parquet") == 3
    assert (tmp_path / "table.parquet").read_bytes() == (tmp_path / "pandas.parquet").read_bytes()
    relu = pd.read_parquet(tmp_path / "table.parquet")
    assert relu["x"].isna().tolist() == [False, True, False] and relu["nom"].isna().tolist() == [False, True, False]


def test_comptes_sans_pandas(tmp_path):
    """The command writes the same frames as the project's reader (test_extraction) without importing pandas."""
    f = fichier_comptes(tmp_path / "nat.csv", ENTETE_COMMUNES_2013, fin_vide=True)
    code = ("import sys; from orleans_gov.cli import main; r = main(sys.argv[1:]); "
            "print('MODULES', 'pandas' in sys.modules); sys.exit(r)")
    r = subprocess.run([sys.executable, "-c", code, "extraire", "comptes", str(f), "--sortie", str(tmp_path / "o")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "MODULES False" in r.stdout
    communes = pd.read_parquet(tmp_path / "o" / "communes_perimetre.parquet")
    attendu = _attendu_communes(f)
    pd.testing.assert_frame_equal(communes, attendu)


def test_verifier_ratios_colonnes_exemple_calcule_a_la_main():
    """pop1 = 1 000, prod = 2 000 k€: fprod = 2 000 × 1 000 / 1 000 = 2 000 €/hab; impo1 = 500 k€: rimpo1 =
    500 / 2 000 × 100 = 25 %. Tolerances (€/hab: 1 + 1e-3 × 2 000 = 3; %: 0,05 + 1e-3 × 25 = 0,075):
    fprod 2 002 and rimpo1 25,07 pass; fprod 2 004 on the second row is refused, naming that row."""
    valeurs = {"pop1": [1000.0, 1000.0], "prod": [2000.0, 2000.0], "fprod": [2002.0, 2004.0],
               "impo1": [500.0, 500.0], "rimpo1": [25.07, 25.0]}
    colonnes = list(valeurs)
    calc = colonnes_communes.ratios_recalcules(colonnes, lambda c: np.array(valeurs[c]), np.array(valeurs["pop1"]))
    assert calc["fprod"].tolist() == [2000.0, 2000.0] and calc["rimpo1"].tolist() == [25.0, 25.0]
    with pytest.raises(ErreurDonnees) as e:
        colonnes_communes.verifier_ratios_colonnes(colonnes, lambda c: np.array(valeurs[c]),
                                                   np.array(valeurs["pop1"]), [10, 11], "f.csv")
    assert (e.value.ligne, e.value.colonne, e.value.valeur) == (11, "fprod", 2004.0)
    assert "attendu ≈ 2000.00 €/hab (calculé depuis « prod », « pop1 »)" in str(e.value)
    valeurs["fprod"][1] = 2002.0
    colonnes_communes.verifier_ratios_colonnes(colonnes, lambda c: np.array(valeurs[c]), np.array(valeurs["pop1"]),
                                               [10, 11], "f.csv")
    # pop1 = 0: no per-inhabitant value is recomputed, hence none is checked
    assert np.isnan(colonnes_communes.ratios_recalcules(["pop1", "prod", "fprod"], lambda c: np.array([2000.0]),
                                                        np.array([0.0]))["fprod"]).all()
