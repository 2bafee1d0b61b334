#!/usr/bin/env python3
"""How often this machine stops a busy CPU: a hiccup meter.

One process per CPU, pinned, spins reading the monotonic clock for `--seconds` and counts the gaps between two
consecutive reads. A busy loop never sleeps, so a gap is time the CPU was taken away: an interrupt in the guest, or,
on a VM, the host not running the vCPU. A gap longer than a latency budget means any request in flight on that CPU
then missed the budget, however little work it had to do. The loop is Python, so gaps under ~20 us are its own noise;
the thresholds start at 50 us. Run it on an otherwise quiet machine. Usage:
python3 bench/tools/vcpu_stalls.py [--seconds 10] [--budget-us 400]
"""
import argparse
import os
import time


def spin(cpu, seconds, budget_us):
    os.sched_setaffinity(0, {cpu})
    clock = time.perf_counter_ns
    thresholds = (50_000, 100_000, budget_us * 1000, 1_000_000)
    counts = [0, 0, 0, 0]
    over_budget_ns = 0
    longest = 0
    start = prev = clock()
    end = start + int(seconds * 1e9)
    while prev < end:
        now = clock()
        gap = now - prev
        prev = now
        if gap > thresholds[0]:
            for i, threshold in enumerate(thresholds):
                if gap > threshold:
                    counts[i] += 1
            if gap > thresholds[2]:
                over_budget_ns += gap
            longest = max(longest, gap)
    print(f"cpu {cpu}, {seconds:g} s busy: stalls > 50 us {counts[0]}, > 100 us {counts[1]}, > {budget_us} us {counts[2]} "
          f"({over_budget_ns / 1e6:.1f} ms in all, {counts[2] / seconds:.1f} per s), > 1 ms {counts[3]}, longest {longest / 1000:.0f} us",
          flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--budget-us", type=int, default=400)
    args = parser.parse_args()
    children = []
    for cpu in sorted(os.sched_getaffinity(0)):
        pid = os.fork()
        if pid == 0:
            spin(cpu, args.seconds, args.budget_us)
            os._exit(0)
        children.append(pid)
    for pid in children:
        os.waitpid(pid, 0)


if __name__ == "__main__":
    main()
