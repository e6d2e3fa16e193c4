# Sourced by the scripts: the class path of one module of the build (src/cli, src/tools), compiled on first use
# or when any source or pom changed. Usage: cp="$(module_classpath cli)" or module_classpath tools test.
module_classpath() {
  local module="$1" scope="${2:-main}" home
  home="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  local target="$home/src/$module/target"
  # main scope: the test-compile phase with tests skipped, because the modules' build-classpath step resolves their
  # test-jar dependencies, which Maven 3 finds in the reactor only from that phase on (with 'compile' a fresh
  # ~/.m2 fails: "Could not find artifact sc.fiji:gradcam-engine:jar:tests")
  local stamp="$target/.built-$scope" cpfile="$target/classpath.txt" goal="-Dmaven.test.skip=true test-compile"
  if [ "$scope" = test ]; then cpfile="$target/test-classpath.txt"; goal=test-compile; fi
  if [ ! -f "$cpfile" ] || [ ! -f "$stamp" ] || \
     [ -n "$(find "$home/src" "$home/pom.xml" -path '*/target' -prune -o -newer "$stamp" -type f -print -quit 2>/dev/null)" ]; then
    echo "$(basename "$0"): building (mvn -q $goal)..." >&2
    (cd "$home" && mvn -q -B -ntp -DskipTests $goal -pl "src/$module" -am >&2)
    touch "$stamp"
  fi
  if [ "$scope" = test ]; then
    echo "$target/test-classes:$target/classes:$(cat "$cpfile")"
  else
    echo "$target/classes:$(cat "$cpfile")"
  fi
}
