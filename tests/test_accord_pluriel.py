"""Plural agreement of counts in generated French (issue 14): no hedged « commune(s) », « an(s) »."""
import re
from pathlib import Path

import pandas as pd
import pytest

from orleans_gov.restitution.textes import accorde, compte, est_pluriel, pluriel

RACINE = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("n, attendu", [
    (1, "1 commune est"), (3, "3 communes sont"), (0, "aucune commune n'est"), (22, "22 communes sont"),
])
def test_compte_avec_verbe(n, attendu):
    assert compte(n, "commune", ("est", "sont")) == attendu


def test_zero_avec_pronom_et_elision():
    assert compte(0, "commune", ("perd", "perdent"), pronom="y") == "aucune commune n'y perd"
    assert compte(0, "commune", ("dépasse", "dépassent")) == "aucune commune ne dépasse"
    assert compte(0, "scénario", ("change", "changent"), feminin=False) == "aucun scénario ne change"
    assert compte(0, "réponse", aucun=False) == "0 réponse"


def test_annees_et_decimales():
    assert compte(3, "an") == "3 ans"
    assert compte(1, "an") == "1 an"
    assert compte(1.5, "an", decimales=1) == "1,5 an"     # French: singular below 2
    assert compte(2.0, "an", decimales=1) == "2,0 ans"
    assert compte(1234, "habitant") == "1\u202f234 habitants"
    assert compte(pd.NA, "commune") == "n.d. communes"


def test_pluriels_et_accords():
    assert pluriel("fonction support") == "fonctions support"
    assert pluriel("pays") == "pays" and pluriel("réseau") == "réseaux"
    assert accorde(3, "réussi") == "réussis" and accorde(1, "réussi") == "réussi"
    assert accorde(2, "est", "sont") == "sont" and accorde(0, "est", "sont") == "est"
    assert not est_pluriel(None) and not est_pluriel(-1) and est_pluriel(-2)


def test_aucun_pluriel_hesitant_dans_la_restitution():
    """Reader-facing code of restitution/ (outside scenarios/, owned elsewhere) writes no « (s) » hedge."""
    motif = re.compile(r"[a-zéèêà]\(s\)(?=[\s\"'»,.;])")
    fautifs = []
    for f in sorted((RACINE / "src/orleans_gov/restitution").glob("*.py")):
        for i, ligne in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if motif.search(ligne) and not ligne.strip().startswith("#") and "column(s)" not in ligne:
                fautifs.append(f"{f.name}:{i}: {ligne.strip()}")
    assert not fautifs, "\n".join(fautifs)
