"""Glossary of the deliverables (issue 14): the terms a finance director needs, each with its legal reference,
labels from the vocabulary, no programme field names."""
import re

from orleans_gov.base import vocabulaire
from orleans_gov.restitution.glossaire import GLOSSAIRE, glossaire, reference_legale, tableau_glossaire

EXIGES = ["caf", "epargne_brute", "epargne_nette", "epargne_gestion", "capacite_desendettement", "cif",
          "attribution_compensation", "dsc", "clect", "fpic"]


def test_termes_exiges_avec_reference():
    for n in EXIGES:
        assert n in GLOSSAIRE, n
        ref = reference_legale(n)
        assert re.search(r"\bart\.|DGFiP|M14", ref, re.I), (n, ref)
    assert reference_legale("clect") == "Art. 1609 nonies C IV CGI"
    assert reference_legale("dsc") == "Art. 1609 nonies C VI CGI"
    assert reference_legale("cif") == "Art. L.5211-30 CGCT"


def test_libelles_du_vocabulaire_sans_jargon():
    t = tableau_glossaire()
    assert list(t.index) == [vocabulaire.libelle(n) for n in GLOSSAIRE]
    texte = " ".join(t["Définition"]) + " ".join(t["Référence"])
    for jargon in ("« caf »", "cafn", "revtot", "pop1", ".yaml", "base/parametres"):
        assert jargon not in texte, jargon
    h = glossaire(["cif", "clect"]).html
    assert "Glossaire" in h and "1609 nonies C IV" in h and "Fonds national" not in h
