"""``extraire balances`` without ``--population`` loads neither pandas nor pyarrow (issue 16, point 2): both
outputs are written by DuckDB with the pandas metadata that ``to_parquet`` would write, so that
``pandas.read_parquet`` gives back the same frames (text as ``string``, ``an`` as int64)."""
from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pyarrow as pa
import pytest

from orleans_gov.sources.nationaux import balances, rapport
from test_extraction import fichier_balances


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
