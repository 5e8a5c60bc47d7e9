"""Fault switches tests and benchmarks flip through ``/_sandbox/faults``.

A switch set for a tenant wins over the global one (``tenant_id: null``), so a
test can make one organisation flaky while the other behaves.
"""
import threading

FIELDS = ("rate_limit_every", "retry_after", "error_next", "error_status", "delay",
          "drop_after_commit_next", "hang_after_commit_next", "hang_seconds", "token_delay")
_FLOATS = ("delay", "hang_seconds", "token_delay")


class FaultConfig:
    def __init__(self):
        self.rate_limit_every = 0
        self.retry_after = 1
        self.error_next = 0
        self.error_status = 503
        self.delay = 0.0
        self.drop_after_commit_next = 0
        # A Xero that hangs: the write is committed, the answer withheld this
        # long, then the connection closes without one.
        self.hang_after_commit_next = 0
        self.hang_seconds = 30.0
        # A slow identity host: each token request (code or refresh) waits
        # this long before it is handled (global only: it has no tenant).
        self.token_delay = 0.0
        self.calls = 0

    def as_dict(self):
        return {f: getattr(self, f) for f in FIELDS}


class Faults:
    def __init__(self):
        self.lock = threading.Lock()
        self.configs = {}
        self._cleared = threading.Event()

    def reset(self):
        """Switch every fault off; calls held by ``delay`` or a hang end now."""
        with self.lock:
            self.configs = {}
            cleared, self._cleared = self._cleared, threading.Event()
        cleared.set()

    def pause(self, seconds):
        """Hold a call ``seconds``, or until the faults are cleared (a test
        moving on must not find the last one's hung calls still holding
        Xero's concurrent slots).  True when cut short by the clearing."""
        with self.lock:
            cleared = self._cleared
        return cleared.wait(seconds)

    def set(self, tenant_id, values):
        with self.lock:
            config = self.configs.setdefault(tenant_id, FaultConfig())
            for field in FIELDS:
                if values.get(field) is not None:
                    kind = float if field in _FLOATS else int
                    setattr(config, field, kind(values[field]))
            return config.as_dict()

    def describe(self):
        with self.lock:
            return {str(k) if k else "global": c.as_dict() for k, c in self.configs.items()}

    def _config(self, tenant_id):
        return self.configs.get(tenant_id) or self.configs.get(None)

    def injected_rate_limit(self, tenant_id):
        """Retry-After seconds if this call is the Nth one to refuse, else None."""
        with self.lock:
            config = self._config(tenant_id)
            if not config or config.rate_limit_every <= 0:
                return None
            config.calls += 1
            if config.calls % config.rate_limit_every == 0:
                return config.retry_after
            return None

    def injected_error(self, tenant_id):
        with self.lock:
            config = self._config(tenant_id)
            if config and config.error_next > 0:
                config.error_next -= 1
                return config.error_status
            return None

    def delay(self, tenant_id):
        with self.lock:
            config = self._config(tenant_id)
            return config.delay if config else 0.0

    def token_delay(self):
        with self.lock:
            config = self.configs.get(None)
            return config.token_delay if config else 0.0

    def drop_after_commit(self, tenant_id):
        with self.lock:
            config = self._config(tenant_id)
            if config and config.drop_after_commit_next > 0:
                config.drop_after_commit_next -= 1
                return True
            return False

    def hang_after_commit(self, tenant_id):
        """Seconds to withhold this committed write's answer, or None."""
        with self.lock:
            config = self._config(tenant_id)
            if config and config.hang_after_commit_next > 0:
                config.hang_after_commit_next -= 1
                return config.hang_seconds
            return None
