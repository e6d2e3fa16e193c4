# onednn.sh: sourced by the launchers. TensorFlow 2.16 turns its oneDNN kernels on by itself on x86 CPUs with
# AVX512_VNNI / AVX512_BF16 / AMX. On this project's AMD EPYC (Zen) machine they made float32 runs about 3x slower
# than TensorFlow's own Eigen kernels (docs/benchmark.md, "oneDNN and float32"); on the Intel Xeon of earlier
# sessions the same builds ran at the speeds in docs/benchmark.md with TensorFlow's defaults. So on AMD CPUs, float32
# runs switch oneDNN off unless TF_ENABLE_ONEDNN_OPTS is set; bf16 runs need it and keep it.
#   onednn_default "$@"    # the launcher's arguments (a bf16 run keeps oneDNN on)
onednn_default() {
  [ -n "${TF_ENABLE_ONEDNN_OPTS:-}" ] && return 0
  case " $* " in
    *bf16*|*bfloat16*) return 0 ;;
  esac
  if grep -qm1 AuthenticAMD /proc/cpuinfo 2>/dev/null; then
    export TF_ENABLE_ONEDNN_OPTS=0
  fi
}
