extension JobScriptLibrary {
    /// Step 10's webhook: the runs.jsonl line POSTed with curl when the run's outcome is in `notify.on`.
    static let notify = #"""
        # ---- Step 10: the webhook ----

        # bp_notify STATUS: when the run's outcome (success, partial, failure) is one of NOTIFY_ON, POSTs its
        # runs.jsonl line to the webhook. The URL is a secret: it is read now (NOTIFY_URL_FILE, or the variable
        # NOTIFY_URL_ENV names) and reaches curl only through its config on standard input, never a command
        # line or the log; curl's own messages (which could quote it) are dropped. One try of 10 s plus two
        # retries for what curl deems transient (timeouts, HTTP 408/429/5xx). A failure is a warning: the exit
        # status stays the run's.
        # shellcheck disable=SC2317 # called by the EXIT trap (bp_on_exit)
        bp_notify() {
          local event url code status bs=\\ dq='"' body
          ((${#NOTIFY_ON[@]} > 0)) || return 0
          case $1 in
            0) event=success ;;
            3) event=partial ;;
            *) event=failure ;;
          esac
          [[ " ${NOTIFY_ON[*]} " == *" $event "* ]] || return 0
          if [[ -n $NOTIFY_URL_FILE ]]; then
            if [[ ! -f $NOTIFY_URL_FILE || ! -r $NOTIFY_URL_FILE ]]; then
              bp_log "notify: warning: cannot read the webhook URL file $NOTIFY_URL_FILE; no notification sent"
              return 0
            fi
            url=$(<"$NOTIFY_URL_FILE")
            url=${url%%$'\n'*}
          else
            url=${!NOTIFY_URL_ENV:-}
          fi
          url=${url%$'\r'}
          if [[ ! $url =~ ^https?://[^[:space:][:cntrl:]]+$ ]]; then
            bp_log "notify: warning: the webhook URL (${NOTIFY_URL_FILE:-\$$NOTIFY_URL_ENV}) is not an http(s) URL; no notification sent"
            return 0
          fi
          if ! command -v curl >/dev/null; then
            bp_log "notify: warning: curl not found; no notification sent"
            return 0
          fi
          # curl's config syntax: inside double quotes, \\ \" and \n are escapes.
          url=${url//"$bs"/"$bs$bs"}
          url=${url//"$dq"/"$bs$dq"}
          body=${BP_RECORD_LINE//"$bs"/"$bs$bs"}
          body=${body//"$dq"/"$bs$dq"}
          code=$(printf 'url = "%s"\ndata-binary = "%s\\n"\n' "$url" "$body" |
            curl --config - --silent --proto =http,https --max-time 10 --retry 2 --retry-delay 1 --retry-max-time 30 \
              --header 'Content-Type: application/json' --output /dev/null --write-out '%{http_code}' 2>/dev/null)
          status=$?
          if ((status == 0)) && [[ $code == 2[0-9][0-9] ]]; then
            bp_log "notify: webhook notified ($event, HTTP $code)"
          elif [[ $code =~ ^[1-9][0-9][0-9]$ ]]; then
            bp_log "notify: warning: the webhook failed (HTTP $code); the run's status is unchanged"
          else
            bp_log "notify: warning: the webhook failed (curl status $status); the run's status is unchanged"
          fi
          return 0
        }
        """#
}
