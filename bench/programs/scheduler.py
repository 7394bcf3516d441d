"""A discrete-event simulation of a small job shop: jobs arrive, queue for
machines by priority, run, sometimes fail and are retried. Many small functions
and methods and a heap of events, as simulation programs have. Prints a
checksum on stdout, and on stderr the seconds (BENCH_SECONDS) and the process's
CPU seconds (BENCH_CPU) the simulation took, measured inside the process."""
import heapq
import sys
import time


class Random:
    """A small linear congruential generator: the same run on every Python."""

    def __init__(self, seed):
        self.state = seed

    def next(self):
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFFFFFFFF
        return self.state >> 11

    def uniform(self, low, high):
        return low + (high - low) * (self.next() / float(1 << 53))

    def choice(self, items):
        return items[self.next() % len(items)]


class Job:
    __slots__ = ("ident", "kind", "priority", "steps", "arrived", "attempts")

    def __init__(self, ident, kind, priority, steps, arrived):
        self.ident = ident
        self.kind = kind
        self.priority = priority
        self.steps = steps
        self.arrived = arrived
        self.attempts = 0

    def next_step(self):
        return self.steps[0] if self.steps else None

    def advance(self):
        self.steps = self.steps[1:]
        self.attempts = 0


class Machine:
    def __init__(self, name, speed, failure_rate):
        self.name = name
        self.speed = speed
        self.failure_rate = failure_rate
        self.queue = []
        self.busy_with = None
        self.busy_time = 0.0
        self.order = 0

    def enqueue(self, job, now):
        self.order += 1
        heapq.heappush(self.queue, (-job.priority, job.arrived, self.order, job))

    def take(self):
        if not self.queue:
            return None
        return heapq.heappop(self.queue)[3]

    def duration(self, work):
        return work / self.speed


class Simulator:
    def __init__(self, seed):
        self.random = Random(seed)
        self.now = 0.0
        self.events = []
        self.sequence = 0
        self.finished = 0
        self.failed = 0
        self.latency = 0.0
        self.machines = {
            "cut": [Machine("cut-1", 1.0, 0.02), Machine("cut-2", 1.3, 0.05)],
            "weld": [Machine("weld-1", 0.8, 0.03)],
            "paint": [Machine("paint-1", 1.1, 0.01), Machine("paint-2", 0.9, 0.01)],
            "check": [Machine("check-1", 2.0, 0.0)],
        }
        self.routes = [["cut", "weld", "paint", "check"], ["cut", "paint", "check"], ["weld", "check"]]

    def schedule(self, delay, action, payload):
        self.sequence += 1
        heapq.heappush(self.events, (self.now + delay, self.sequence, action, payload))

    def arrival(self, ident):
        route = self.random.choice(self.routes)
        steps = [(station, self.random.uniform(0.5, 3.0)) for station in route]
        job = Job(ident, len(route), self.random.next() % 5, steps, self.now)
        self.dispatch(job)
        self.schedule(self.random.uniform(0.2, 1.2), self.arrival, ident + 1)

    def least_loaded(self, station):
        return min(self.machines[station], key=lambda machine: (len(machine.queue), machine.busy_with is not None))

    def dispatch(self, job):
        step = job.next_step()
        if step is None:
            self.finished += 1
            self.latency += self.now - job.arrived
            return
        machine = self.least_loaded(step[0])
        machine.enqueue(job, self.now)
        self.start_next(machine)

    def start_next(self, machine):
        if machine.busy_with is not None:
            return
        job = machine.take()
        if job is None:
            return
        machine.busy_with = job
        took = machine.duration(job.next_step()[1])
        machine.busy_time += took
        self.schedule(took, self.completion, machine)

    def completion(self, machine):
        job = machine.busy_with
        machine.busy_with = None
        if self.random.uniform(0.0, 1.0) < machine.failure_rate and job.attempts < 3:
            job.attempts += 1
            self.failed += 1
            machine.enqueue(job, self.now)
        else:
            job.advance()
            self.dispatch(job)
        self.start_next(machine)

    def run(self, until):
        self.schedule(0.0, self.arrival, 0)
        while self.events:
            when, _, action, payload = heapq.heappop(self.events)
            if when > until:
                break
            self.now = when
            action(payload)
        return self.report()

    def report(self):
        busy = sum(machine.busy_time for machines in self.machines.values() for machine in machines)
        return self.finished, self.failed, round(self.latency, 3), round(busy, 3)


def main(argv):
    until = float(argv[argv.index("--until") + 1]) if "--until" in argv else 20000.0
    start, cpu = time.perf_counter(), time.process_time()
    result = Simulator(2026).run(until)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(*result)
    print(f"BENCH_SECONDS {elapsed:.6f}", file=sys.stderr)
    print(f"BENCH_CPU {cpu:.6f}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
