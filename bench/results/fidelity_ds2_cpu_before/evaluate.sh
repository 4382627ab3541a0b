#!/bin/bash
# today's evaluator (commit of /work/main) on the "before" run's samples: the same settings as the fidelity profile's EVALUATE
set -e
S=/work/before-run/results/$(ls /work/before-run/results | grep -v pipeline_info | head -1)/samples
cd /work/before-eval
export ICALOFLOW_THREADS=2
/work/main/bin/icaloflow evaluate --geometry ds2 --reference /work/before-data/reference.hdf5 \
  --generated teacher=$S/samples_teacher.hdf5 --generated student=$S/samples_student.hdf5 \
  --classifier low,high --runs 2 --epochs 30 --classifier-width 2048 --classifier-batch 100 \
  --hlf-set challenge --fpd-kpd true --out evaluation
