"""Hostile inputs to ``orleans-gov extraire comptes|balances`` (issue 15): wrong paths, wrong files, cut files.

Every case expects a French :class:`ErreurDonnees` naming the path (and line/column when there is one), exit
status 1 on the command line, no traceback and no output written. docs/fiabilite/telechargement_extraction.md
lists the cases.
"""
from __future__ import annotations

import argparse

import pandas as pd
import pytest

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.cli import extraction as cli_extraction
from orleans_gov.sources import nationaux as ex
from orleans_gov.sources.dgfip import ENTETE_COMMUNES_2017
from orleans_gov.sources.nationaux import prefiltre
from test_extraction import PERIMETRE_FIXTURE, fichier_balances, fichier_comptes, ligne_balance


def _cli(argv: list[str], capsys) -> tuple[int, str]:
    parser = argparse.ArgumentParser(prog="orleans-gov")
    cli_extraction.configurer_cli(parser.add_subparsers())
    args = parser.parse_args(argv)
    code = args.func(args)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


# ----------------------------------------------------------------------------------------------------
# 3. --sortie is an existing file
@pytest.mark.parametrize("nature", ["comptes", "balances"])
def test_sortie_fichier_existant(tmp_path, capsys, nature):
    f = (fichier_comptes(tmp_path / "nat.csv", ENTETE_COMMUNES_2017) if nature == "comptes"
         else fichier_balances(tmp_path / "bal.csv"))
    cible = tmp_path / "sortie.parquet"
    cible.write_bytes(b"pas un dossier")
    for sortie in (cible, cible / "sous"):
        code, err = _cli(["extraire", nature, str(f), "--sortie", str(sortie)], capsys)
        assert code == 1 and "n'est pas un dossier" in err and str(cible) in err
    assert cible.read_bytes() == b"pas un dossier"


def test_sortie_verifiee_avant_la_lecture(tmp_path, monkeypatch):
    # the check comes first: a long national scan is not run for nothing
    f = fichier_balances(tmp_path / "bal.csv")
    (tmp_path / "x").write_bytes(b"")
    monkeypatch.setattr(ex.balances, "_agreger", lambda *a, **k: pytest.fail("scan lancé"))
    with pytest.raises(ErreurDonnees, match="n'est pas un dossier"):
        ex.extraire_balances(f, tmp_path / "x")


# ----------------------------------------------------------------------------------------------------
# 4. a folder instead of a file
@pytest.mark.parametrize("nature", ["comptes", "balances"])
def test_dossier_au_lieu_d_un_fichier(tmp_path, capsys, nature):
    d = tmp_path / "donnees"
    d.mkdir()
    code, err = _cli(["extraire", nature, str(d), "--sortie", str(tmp_path / "out")], capsys)
    assert code == 1 and "dossier" in err and str(d) in err
    assert not (tmp_path / "out").exists()


def test_population_dossier_ou_absente(tmp_path):
    f = fichier_balances(tmp_path / "bal.csv")
    d = tmp_path / "pops"
    d.mkdir()
    with pytest.raises(ErreurDonnees, match=r"pops.*dossier"):
        ex.extraire_balances(f, tmp_path / "out", population=d)
    with pytest.raises(ErreurDonnees, match=r"absente\.parquet.*introuvable"):
        ex.extraire_balances(f, tmp_path / "out", population=tmp_path / "absente.parquet")
    assert not (tmp_path / "out").exists()


# ----------------------------------------------------------------------------------------------------
# 5. siblings
def test_fichier_d_un_autre_type(tmp_path):
    # a balances file given to « extraire comptes », a comptes file given to « extraire balances »
    with pytest.raises(ErreurDonnees, match=r"ligne 1, colonne « an » : colonne obligatoire absente"):
        ex.extraire_comptes(fichier_balances(tmp_path / "bal.csv"), tmp_path / "o")
    with pytest.raises(ErreurDonnees, match=r"ligne 1, colonne « exer » : colonne obligatoire absente"):
        ex.extraire_balances(fichier_comptes(tmp_path / "nat.csv", ENTETE_COMMUNES_2017), tmp_path / "o")
    assert not (tmp_path / "o").exists()


def test_entete_seul(tmp_path):
    f = tmp_path / "nat.csv"
    f.write_text(";".join(ENTETE_COMMUNES_2017) + "\n", encoding="utf-8")
    with pytest.raises(ErreurDonnees, match="aucune commune du périmètre"):
        ex.extraire_comptes(f, tmp_path / "o")
    with pytest.raises(ErreurDonnees, match="aucune ligne de dépense"):
        ex.extraire_balances(fichier_balances(tmp_path / "bal.csv", []), tmp_path / "o")
    assert not (tmp_path / "o").exists()


def test_balances_autre_departement_seulement(tmp_path, capsys):
    # only the communes of another département: the perimeter is absent — refused, like « extraire comptes »
    autres = [ligne_balance("2019", "018", "279", "211802797", "Commune", "212", "6411", "400000"),
              ligne_balance("2019", "037", "261", "213702619", "Commune", "020", "6411", "700000")]
    f = fichier_balances(tmp_path / "bal.csv", autres)
    code, err = _cli(["extraire", "balances", str(f), "--sortie", str(tmp_path / "o")], capsys)
    assert code == 1 and "aucune entité du périmètre" in err and "bal.csv" in err
    assert not (tmp_path / "o").exists()


def test_comptes_autre_departement_seulement(tmp_path):
    def ailleurs(v):
        if v["dep"] == "045":
            v["dep"] = "041"
    f = fichier_comptes(tmp_path / "nat.csv", ENTETE_COMMUNES_2017, modifier=ailleurs)
    with pytest.raises(ErreurDonnees, match="aucune commune du périmètre"):
        ex.extraire_comptes(f, tmp_path / "o", codes_insee=PERIMETRE_FIXTURE)


def test_comptes_lignes_en_double(tmp_path):
    f = fichier_comptes(tmp_path / "nat.csv", ENTETE_COMMUNES_2017)
    lignes = f.read_text(encoding="utf-8").splitlines(keepends=True)
    f.write_text("".join(lignes + [lignes[1]]), encoding="utf-8")          # Orléans 2019 twice
    with pytest.raises(ErreurDonnees, match=r"45234 / 2019.*en double"):
        ex.extraire_comptes(f, tmp_path / "o", codes_insee=PERIMETRE_FIXTURE)


def test_balances_derniere_ligne_coupee(tmp_path):
    f = fichier_balances(tmp_path / "bal.csv")
    texte = f.read_bytes()
    f.write_bytes(texte[: texte.rstrip(b"\n").rfind(b";") - 3])              # cut inside the last line
    with pytest.raises(ErreurDonnees, match=r"ligne 19.*champs au lieu des 30"):
        ex.extraire_balances(f, tmp_path / "o")


def test_comptes_ligne_du_perimetre_coupee(tmp_path):
    f = fichier_comptes(tmp_path / "nat.csv", ENTETE_COMMUNES_2017)
    lignes = f.read_text(encoding="utf-8").splitlines(keepends=True)
    lignes[-1] = lignes[-1][:200] + "\n"                                   # Boigny 2020, one of ours, cut
    f.write_text("".join(lignes), encoding="utf-8")
    with pytest.raises(ErreurDonnees, match=r"ligne 15.*champs au lieu des 219"):
        ex.extraire_comptes(f, tmp_path / "o", codes_insee=PERIMETRE_FIXTURE)


def test_cli_ctrl_c(tmp_path, capsys, monkeypatch):
    def interrompu(*a, **k):
        raise KeyboardInterrupt
    monkeypatch.setattr(cli_extraction, "extraire_balances", interrompu)
    code, err = _cli(["extraire", "balances", "x.csv", "--sortie", str(tmp_path / "o")], capsys)
    assert code == 130 and "interrompue" in err


# ----------------------------------------------------------------------------------------------------
# the byte-level pass of « extraire comptes » against a plain csv-module reading of the same file
def test_passe_contre_lecture_csv(tmp_path):
    import csv
    entete = ["an", "dep", "icom", "inom", "reg", "pop1", "nomsst2", "mprod", "nomsst1", ""]
    lignes = []
    for i in range(3000):
        an = 2019 + i % 3
        bande = ["A", "\"A\"", "B", "C"][i % 4] if i % 7 else "D"
        dep, icom = ("045", f"{i % 40:03d}") if i % 5 == 0 else (f"{i % 90:03d}", f"{i % 300:03d}")
        nom = "X" * (700 if i == 1500 else 5)
        lignes.append(f"{an};{dep};{icom};{nom};024;{i};FPU;{i % 13};{bande};")
    src = tmp_path / "nat.csv"
    src.write_bytes((";".join(entete) + "\r\n" + "\r\n".join(lignes)).encode())   # CRLF, no final line end
    icoms = [f"{i:03d}" for i in range(0, 40, 3)]
    p = ex.prefiltrer_perimetre_strates(src, tmp_path / "p.csv", tmp_path / "s.csv", entete, "045", icoms)
    with open(src, newline="", encoding="utf-8") as f:
        rangs = list(csv.reader(f, delimiter=";"))[1:]
    attendu_p = [n for n, r in enumerate(rangs, start=2) if r[1] == "045" and r[2] in icoms]
    nb: dict = {}
    premieres = []
    for n, r in enumerate(rangs, start=2):
        cle = (r[0], r[8], r[6])
        if cle not in nb:
            premieres.append(n)
        nb[cle] = nb.get(cle, 0) + 1
    assert p.numeros_perimetre == attendu_p and p.numeros_strates == premieres and p.nb_lignes == nb
    assert (tmp_path / "p.csv").read_bytes().count(b"\n") == len(attendu_p) + 1


def test_panne_de_la_passe(tmp_path, monkeypatch):
    f = fichier_comptes(tmp_path / "nat.csv", ENTETE_COMMUNES_2017)

    def panne(*a, **k):
        raise OSError("disque illisible")
    monkeypatch.setattr(prefiltre, "_passe", panne)
    with pytest.raises(OSError, match="disque illisible"):
        ex.extraire_comptes(f, tmp_path / "o", codes_insee=PERIMETRE_FIXTURE)
    assert not (tmp_path / "o").exists()


# ----------------------------------------------------------------------------------------------------
# progress bars (issue 16): drawn on a terminal only, Ctrl-C stops the work
class _Terminal:
    def __init__(self) -> None:
        self.texte = ""

    def isatty(self) -> bool:
        return True

    def write(self, s: str) -> int:
        self.texte += s
        return len(s)

    def flush(self) -> None:
        pass


def test_barres_sur_un_terminal_seulement(tmp_path, monkeypatch):
    from orleans_gov.sources.nationaux import progression
    f = fichier_comptes(tmp_path / "nat.csv", ENTETE_COMMUNES_2017)
    monkeypatch.setattr(progression, "DELAI_BARRE", 0)
    terminal = _Terminal()
    monkeypatch.setattr(progression.sys, "stderr", terminal)
    ex.extraire_comptes(f, tmp_path / "a", codes_insee=PERIMETRE_FIXTURE, verifier_strates=True)
    assert "lecture complète de nat.csv" in terminal.texte and "lecture de nat.csv" in terminal.texte
    ex.extraire_balances(fichier_balances(tmp_path / "bal.csv"), tmp_path / "b")
    assert "lecture de bal.csv" in terminal.texte
    monkeypatch.setattr(progression.sys, "stderr", __import__("io").StringIO())   # not a terminal: nothing drawn
    ex.extraire_balances(fichier_balances(tmp_path / "bal.csv"), tmp_path / "c")
    assert progression.sys.stderr.getvalue() == ""


def test_ctrl_c_pendant_l_attente_arrete_le_travail(monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    from orleans_gov.sources.nationaux import progression
    arrets = []
    vraie = progression.wait

    def interrompre_une_fois(fs, timeout=None):
        if not arrets:
            raise KeyboardInterrupt
        return vraie(fs, timeout=timeout)
    monkeypatch.setattr(progression, "wait", interrompre_une_fois)
    with ThreadPoolExecutor(1) as pool:
        futur = pool.submit(lambda: None)
        with pytest.raises(KeyboardInterrupt):
            progression.attendre(futur, lambda: 0.0, "essai", 1.0, "o", lambda: arrets.append(1))
    assert arrets == [1]
