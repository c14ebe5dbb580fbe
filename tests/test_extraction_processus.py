"""``extraire comptes``: the byte-level pass run in a forked child before the CLI imports pandas (issue 16, point 2).

The child only moves the pass out of the process: same extracts, same outputs (byte for byte), same errors as
the in-thread pass; a pass that is not used (error before it, other plan) is stopped and reaped.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.territoire import DEP_DGFIP
from orleans_gov.sources import nationaux as ex
from orleans_gov.sources.dgfip import ENTETE_COMMUNES_2013, ENTETE_COMMUNES_2017
from orleans_gov.sources.nationaux import passe_processus, prefiltre
from orleans_gov.sources.nationaux.lecture import icoms_perimetre
from test_extraction import PERIMETRE_FIXTURE, fichier_comptes

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork absent (Windows) : passe en thread seulement")


def _passe_enfant(f: Path, codes=PERIMETRE_FIXTURE) -> passe_processus.PasseProcessus:
    """A pass forked on ``f`` (demarrer_passe refuses to fork under pytest-xdist, whose workers run threads)."""
    entete = ex.lire_entete(f)
    return passe_processus.PasseProcessus(f, prefiltre._plan(list(entete.colonnes), DEP_DGFIP,
                                                              icoms_perimetre(codes)), entete.encodage)


def _vivant(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("entete", [ENTETE_COMMUNES_2013, ENTETE_COMMUNES_2017])
def test_memes_sorties_octet_pour_octet_que_la_passe_en_thread(tmp_path, entete):
    f = fichier_comptes(tmp_path / "nat.csv", list(entete), fin_vide=entete is ENTETE_COMMUNES_2013)
    ex.extraire_comptes(f, tmp_path / "thread", codes_insee=PERIMETRE_FIXTURE)
    passe = _passe_enfant(f)
    ex.extraire_comptes(f, tmp_path / "enfant", codes_insee=PERIMETRE_FIXTURE, passe=passe)
    assert not _vivant(passe._pid)                       # reaped once its answer is read
    for nom in ("communes_perimetre", "moyennes_strates"):
        assert (tmp_path / "enfant" / f"{nom}.parquet").read_bytes() == \
            (tmp_path / "thread" / f"{nom}.parquet").read_bytes(), nom


def test_erreur_de_la_passe_transmise_par_l_enfant(tmp_path, monkeypatch):
    f = fichier_comptes(tmp_path / "nat.csv", ENTETE_COMMUNES_2017)

    def panne(*a, **k):
        raise OSError("disque illisible")
    monkeypatch.setattr(prefiltre, "_passe", panne)          # inherited by the forked child
    with pytest.raises(OSError, match="disque illisible"):
        ex.extraire_comptes(f, tmp_path / "o", codes_insee=PERIMETRE_FIXTURE, passe=_passe_enfant(f))
    assert not (tmp_path / "o").exists()


def test_erreur_avant_la_passe_arrete_l_enfant(tmp_path):
    f = fichier_comptes(tmp_path / "nat.csv", ENTETE_COMMUNES_2017)
    (tmp_path / "fichier").write_text("x")
    passe = _passe_enfant(f)
    with pytest.raises(ErreurDonnees, match="pas un dossier"):
        ex.extraire_comptes(f, tmp_path / "fichier", codes_insee=PERIMETRE_FIXTURE, passe=passe)
    assert not _vivant(passe._pid)


def test_passe_d_un_autre_plan_remplacee(tmp_path):
    """A pass started for other communes is stopped; the extraction runs its own (same outputs)."""
    f = fichier_comptes(tmp_path / "nat.csv", ENTETE_COMMUNES_2017)
    ex.extraire_comptes(f, tmp_path / "a", codes_insee=PERIMETRE_FIXTURE)
    autre = _passe_enfant(f, codes=("45034",))
    ex.extraire_comptes(f, tmp_path / "b", codes_insee=PERIMETRE_FIXTURE, passe=autre)
    assert not _vivant(autre._pid)
    assert (tmp_path / "a" / "communes_perimetre.parquet").read_bytes() == \
        (tmp_path / "b" / "communes_perimetre.parquet").read_bytes()


def test_demarrer_passe_refuse_ce_qu_elle_ne_sait_pas_lire(tmp_path):
    """None (the extraction then reports the problem itself): missing file, missing column, CP1252."""
    assert passe_processus.demarrer_passe(tmp_path / "absent.csv") is None
    (tmp_path / "sans_an.csv").write_text("dep;icom\n045;234\n")
    assert passe_processus.demarrer_passe(tmp_path / "sans_an.csv") is None
    cp = fichier_comptes(tmp_path / "cp.csv", ENTETE_COMMUNES_2017, encodage="cp1252",
                         modifier=lambda v: v.update(inom="L’ŒUVRE"))
    assert passe_processus.demarrer_passe(cp) is None


def test_commande_dans_un_processus_neuf(tmp_path):
    """The real path: ``orleans-gov extraire comptes`` in a fresh (single-threaded) process forks the pass;
    its outputs are those of the library call, byte for byte; an invalid --sortie is refused as before."""
    f = fichier_comptes(tmp_path / "nat.csv", ENTETE_COMMUNES_2017)
    code = ("import sys; from orleans_gov.sources.nationaux import passe_processus as p; "
            "from orleans_gov.cli import main; vus = []; d = p.demarrer_passe; "
            "p.demarrer_passe = lambda *a, **k: vus.append(d(*a, **k)) or vus[-1]; "
            "import orleans_gov.cli.extraction as e; e.demarrer_passe = p.demarrer_passe; "
            "r = main(sys.argv[1:]); print('PASSE', type(vus[0]).__name__); sys.exit(r)")
    r = subprocess.run([sys.executable, "-c", code, "extraire", "comptes", str(f), "--sortie", str(tmp_path / "cli")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "PASSE PasseProcessus" in r.stdout
    ex.extraire_comptes(f, tmp_path / "lib")
    for nom in ("communes_perimetre", "moyennes_strates"):
        assert (tmp_path / "cli" / f"{nom}.parquet").read_bytes() == \
            (tmp_path / "lib" / f"{nom}.parquet").read_bytes()
    (tmp_path / "fichier").write_text("x")
    principal = "import sys; from orleans_gov.cli import main; sys.exit(main(sys.argv[1:]))"
    r = subprocess.run([sys.executable, "-c", principal, "extraire", "comptes", str(f), "--sortie", str(tmp_path / "fichier")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "pas un dossier" in r.stderr


def test_ctrl_c_pendant_l_attente_arrete_l_enfant(tmp_path, monkeypatch):
    """Ctrl-C while waiting for the child: the stop flag is set in the shared map (the child stops at its next
    4 MB), the parent waits for it, re-raises KeyboardInterrupt; the child is reaped, nothing is written."""
    from orleans_gov.sources.nationaux import progression
    f = fichier_comptes(tmp_path / "nat.csv", ENTETE_COMMUNES_2017)
    vraie, vus = progression.wait, []

    def interrompre_une_fois(fs, timeout=None):
        if not vus:
            vus.append(1)
            raise KeyboardInterrupt
        return vraie(fs, timeout=timeout)
    monkeypatch.setattr(progression, "wait", interrompre_une_fois)
    passe = _passe_enfant(f)
    with pytest.raises(KeyboardInterrupt):
        ex.extraire_comptes(f, tmp_path / "o", codes_insee=PERIMETRE_FIXTURE, passe=passe)
    assert passe.compteur[1] == 1 and not _vivant(passe._pid)
    assert not (tmp_path / "o").exists()


def test_passe_par_tranches_egale_la_passe_entiere(tmp_path):
    """Every cut of the file (each byte offset, in the header included, and the end): the two ranges joined give
    exactly what one pass finds (line numbers, first line of each stratum, strata counts, perimeter lines)."""
    f = fichier_comptes(tmp_path / "nat.csv", ENTETE_COMMUNES_2017)
    plan = prefiltre._plan(list(ex.lire_entete(f).colonnes), DEP_DGFIP, icoms_perimetre(PERIMETRE_FIXTURE))
    entiere = prefiltre._passe(f, plan)
    assert entiere.lignes == 14 and len(entiere.perimetre) == 6
    taille = f.stat().st_size
    for coupe in range(taille + 1):
        tranches = [prefiltre._passe(f, plan, None, 0, coupe), prefiltre._passe(f, plan, None, coupe, None)]
        assert prefiltre.joindre(tranches) == entiere, coupe
    tiers = [prefiltre._passe(f, plan, None, a, b) for a, b in ((0, 700), (700, 1900), (1900, None))]
    assert prefiltre.joindre(tiers) == entiere


def test_deux_enfants_memes_sorties(tmp_path):
    f = fichier_comptes(tmp_path / "nat.csv", ENTETE_COMMUNES_2013, fin_vide=True)
    ex.extraire_comptes(f, tmp_path / "thread", codes_insee=PERIMETRE_FIXTURE)
    entete = ex.lire_entete(f)
    passe = passe_processus.PasseProcessus(f, prefiltre._plan(list(entete.colonnes), DEP_DGFIP,
                                                              icoms_perimetre(PERIMETRE_FIXTURE)), entete.encodage, 2)
    assert len(passe._pids) == 2
    ex.extraire_comptes(f, tmp_path / "enfants", codes_insee=PERIMETRE_FIXTURE, passe=passe)
    assert not any(_vivant(p) for p in passe._pids)
    assert passe.compteur[0] == f.stat().st_size        # the progress bar's total: both halves, header included
    for nom in ("communes_perimetre", "moyennes_strates"):
        assert (tmp_path / "enfants" / f"{nom}.parquet").read_bytes() == \
            (tmp_path / "thread" / f"{nom}.parquet").read_bytes(), nom
