#!/bin/bash
# Runs a command and samples its memory once a second from /proc: anonymous memory
# (heap: what the process itself allocates) apart from file-backed pages (the index
# files tantivy maps, which the kernel can drop), as /usr/bin/time -v reports only
# their sum. Prints the peaks at the end; the samples go to $RSS_LOG (default
# /dev/null) as "seconds rss_anon_kib rss_file_kib".
#   bench/rss_sample.sh newswire index DIR --index IDX --rebuild --memory 256 --quiet
"$@" &
pid=$!
log="${RSS_LOG:-/dev/null}"
peak_anon=0; peak_file=0; peak_total=0; t=0
while kill -0 "$pid" 2>/dev/null; do
  if read -r anon file < <(awk '/^RssAnon:/{a=$2} /^RssFile:/{f=$2} END{print a+0, f+0}' "/proc/$pid/status" 2>/dev/null); then
    echo "$t $anon $file" >> "$log"
    [ "$anon" -gt "$peak_anon" ] && peak_anon=$anon
    [ "$file" -gt "$peak_file" ] && peak_file=$file
    [ $((anon + file)) -gt "$peak_total" ] && peak_total=$((anon + file))
  fi
  sleep 1; t=$((t + 1))
done
wait "$pid"; rc=$?
echo "RSS	peak_anon_mib=$((peak_anon / 1024))	peak_file_mib=$((peak_file / 1024))	peak_total_mib=$((peak_total / 1024))	seconds=$t	rc=$rc" >&2
exit $rc
