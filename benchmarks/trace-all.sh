#!/bin/bash
# Runs the sample project's 16 tests without KernelTrace annotations (SegmentLogTest,
# KeyValueStoreTest) five times each, alternating untraced and -Dkerneltrace.traceAll=true, and
# prints per run: the wall time of the mvn command, the sum of Surefire's per-class times, and the
# number of JSON reports written (docs/ci.md, "Tracing a whole suite for a first look").
# Run from the repository root, as root, after `mvn -B -o install -DskipTests`.
set -u
for i in 1 2 3 4 5; do
  for mode in plain traceAll; do
    rm -rf sample-project/target/kerneltrace
    extra=""; [ $mode = traceAll ] && extra="-Dkerneltrace.traceAll=true"
    log=$(mktemp)
    start=$(date +%s.%N)
    mvn -B -o test -pl sample-project -Dkerneltrace.require=true -Dtest='SegmentLogTest,KeyValueStoreTest' $extra > "$log" 2>&1
    end=$(date +%s.%N)
    reports=$(ls sample-project/target/kerneltrace/*.json 2>/dev/null | wc -l)
    classes=$(grep -h "Tests run:.*in io" "$log" | sed 's/.*Time elapsed: \([0-9.]*\) s.*/\1/' | paste -sd+ | bc)
    tests=$(grep -E "^\[(INFO|ERROR)\] Tests run:" "$log" | tail -1)
    echo "$mode run=$i mvn_wall=$(echo "$end - $start" | bc) surefire_class_sum=$classes reports=$reports $tests"
    rm -f "$log"
  done
done
