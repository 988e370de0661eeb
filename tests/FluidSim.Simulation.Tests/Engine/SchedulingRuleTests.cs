using FluidSim.Simulation;

namespace FluidSim.Simulation.Tests.Engine;

/// <summary>Each rule of simulator.md on a small case worked by hand (the arithmetic is in the comments).</summary>
public class SchedulingRuleTests
{
    private static readonly SimulationParameters Unit = new() { D0 = 1.0, D1 = 0.0, B = 100 };

    [Fact]
    public void Admission_reserves_one_slot_for_the_next_token()
    {
        // M=10. A holds 9 after admission; B (prefill 0) needs 9 + |R|=1 + 0 + 1 = 11 > 10, so it waits for A.
        var run = RecordedRun.Of(Unit with { MTotal = 10 }, new Request(0, 0, 9, 1), new Request(1, 0, 0, 1));
        Assert.Equal(1, run.Batches[0].Admitted);
        Assert.Equal(1, run.Batches[0].WaitingCount);
        Assert.Equal(1.0, run.Trace(0).CompletionTime);
        Assert.Equal(1.0, run.Trace(1).FirstEnterRunningTime);
        Assert.Equal(2.0, run.Trace(1).CompletionTime);

        // With A's prefill 8, the check is 8 + 1 + 0 + 1 = 10 <= 10: both run in the first batch.
        var fits = RecordedRun.Of(Unit with { MTotal = 10 }, new Request(0, 0, 8, 1), new Request(1, 0, 0, 1));
        Assert.Equal(2, fits.Batches[0].Admitted);
        Assert.Equal(1.0, fits.Trace(1).CompletionTime);
    }

    [Fact]
    public void Waiting_queue_blocks_at_its_head()
    {
        // M=10: R0 (5+1) is admitted; R1 (prefill 6) does not fit beside it; R2 (prefill 0) would fit but is behind R1.
        var run = RecordedRun.Of(
            Unit with { MTotal = 10 },
            new Request(0, 0, 5, 3), new Request(1, 0, 6, 1), new Request(2, 0, 0, 1));
        Assert.Equal(1, run.Batches[0].Admitted);
        Assert.Equal(2, run.Batches[0].WaitingCount);
        // R0 completes at t=3; then R1 (0+0+6+1=7) and R2 (6+1+0+1=8) are admitted together.
        Assert.Equal(3.0, run.Trace(1).FirstEnterRunningTime);
        Assert.Equal(3.0, run.Trace(2).FirstEnterRunningTime);
    }

    // Three requests (prefill 2, decode 10) admitted at t=0 into M=12 with B=6: batch 0 runs r0, r1 (3+3=6);
    // batches 1 and 2 run r0 alone (contexts 4 and 5, r1 would exceed B). After batch 2, U=10 and
    // U + |R| = 13 > 12, so one victim goes. Last use: r0 = batch 2, r1 = batch 0, r2 = batch 0 (entry).
    private static SimulationParameters Pressure(VictimPolicy victim, PreemptionMode mode = PreemptionMode.Swap) =>
        Unit with { MTotal = 12, B = 6, VictimPolicy = victim, Mode = mode };

    private static Request[] ThreeEqual() => [new(0, 0, 2, 10), new(1, 0, 2, 10), new(2, 0, 2, 10)];

    [Theory]
    [InlineData(VictimPolicy.Lifo, 2, 0)]
    [InlineData(VictimPolicy.Fifo, 0, 3)]
    [InlineData(VictimPolicy.Lru, 1, 1)]
    public void Each_victim_policy_picks_its_victim(VictimPolicy policy, int victim, int victimK)
    {
        var run = RecordedRun.Of(Pressure(policy), ThreeEqual());
        var first = run.Records.Of(EventType.SwapOut).First();
        Assert.Equal(3, first.BatchId);
        Assert.Equal(victim, first.ReqId);
        Assert.Equal(victimK, first.DecodePosition);
        Assert.Equal(10, first.MemoryBefore);
        Assert.Equal(10 - (2 + victimK), first.MemoryAfter);
        Assert.Equal(1, run.Batches[3].SwappedOut);
        Assert.Equal(3, run.Summary.Completed);
    }

    [Fact]
    public void Random_victims_are_reproducible_and_reach_every_position()
    {
        var victims = new HashSet<int>();
        for (var seed = 0; seed < 40; seed++)
        {
            var p = Pressure(VictimPolicy.Random) with { Seed = seed };
            var a = RecordedRun.Of(p, ThreeEqual());
            var b = RecordedRun.Of(p, ThreeEqual());
            Assert.Equal(a.Records.Events, b.Records.Events);
            victims.Add(a.Records.Of(EventType.SwapOut).First().ReqId);
        }
        Assert.Equal([0, 1, 2], victims.Order());
    }

    [Fact]
    public void Swap_in_comes_before_admission_and_neither_follows_a_preemption()
    {
        // As in the LIFO case, plus r3 (prefill 0, decode 1) arriving at 2.5, first seen at t=3 (iteration 3).
        Request[] requests = [.. ThreeEqual(), new(3, 2.5, 0, 1)];
        var run = RecordedRun.Of(Pressure(VictimPolicy.Lifo), requests);
        // Iteration 3 preempts r2; r3 would fit (8 + 2 + 0 + 1 = 11 <= 12) but nothing is admitted after a preemption.
        Assert.Equal(1, run.Batches[3].SwappedOut);
        Assert.Equal(0, run.Batches[3].Admitted);
        // Iteration 4: U=9, r2 cannot swap in (9 + 2 + 2 + 1 = 14 > 12) and, SWAPPED being non-empty, r3 is not admitted either.
        Assert.Equal(0, run.Batches[4].Admitted);
        Assert.Equal(1, run.Batches[4].SwappedCount);
        var events = run.Records.Events;
        var swapIn = events.FindIndex(e => e.EventType == EventType.SwapIn && e.ReqId == 2);
        var admit = events.FindIndex(e => e.EventType == EventType.Admit && e.ReqId == 3);
        Assert.True(swapIn >= 0 && admit > swapIn, "r3 is admitted only after r2 has been swapped back in");
        Assert.All(run.Batches, b => Assert.True(b.Admitted == 0 || (b.SwappedOut == 0 && b.Preempted == 0)));
    }

    [Fact]
    public void Swapped_requests_keep_their_progress()
    {
        var run = RecordedRun.Of(Pressure(VictimPolicy.Fifo), ThreeEqual());
        var r0 = run.Trace(0);
        Assert.True(r0.SwapCount >= 1);
        Assert.Equal(0, r0.WastedTokens);
        var swapIn = run.EventsOf(0).First(e => e.EventType == EventType.SwapIn);
        Assert.Equal(3, swapIn.DecodePosition);
        Assert.Equal(30, run.Batches.Sum(b => b.BatchSize));
        Assert.True(r0.TotalSwappedTime > 0);
    }

    [Fact]
    public void Recompute_resets_progress_and_counts_wasted_tokens()
    {
        var run = RecordedRun.Of(Pressure(VictimPolicy.Fifo, PreemptionMode.Recompute), ThreeEqual());
        var preempt = run.Records.Of(EventType.Preempt).First();
        Assert.Equal((0, 3L, 3), (preempt.ReqId, preempt.BatchId, preempt.DecodePosition));
        Assert.Equal(10, preempt.MemoryBefore);
        Assert.Equal(5, preempt.MemoryAfter);
        Assert.Empty(run.Records.Of(EventType.SwapOut));
        // Iteration 4: U=6, |R|=2, r0 is re-admitted with k=0: 6 + 2 + 2 + 1 = 11 <= 12.
        var readmit = run.EventsOf(0).Where(e => e.EventType == EventType.Admit).ToList();
        Assert.True(readmit.Count >= 2);
        Assert.Equal((4L, 0), (readmit[1].BatchId, readmit[1].DecodePosition));
        var r0 = run.Trace(0);
        Assert.True(r0.PreemptCount >= 1);
        Assert.True(r0.WastedTokens >= 3);
        Assert.Equal(0.0, r0.FirstEnterRunningTime);
        Assert.Equal(1.0, r0.FirstTokenTime);
        Assert.Equal(0, r0.SwapCount);
    }

    [Fact]
    public void Recompute_with_FIFO_victims_livelocks_and_the_default_stall_guard_stops_it()
    {
        // The three requests keep evicting the oldest resident before it can finish: nothing ever completes.
        // The default guard is 10 * max(decode_length) + 1000 = 1100 batches without a completion.
        var run = RecordedRun.Of(Pressure(VictimPolicy.Fifo, PreemptionMode.Recompute), ThreeEqual());
        Assert.Equal("stalled", run.Summary.Outcome);
        Assert.Equal((1100L, 0L, 3L), (run.Summary.Batches, run.Summary.Completed, run.Summary.Unfinished));
        // Every executed token is wasted or still held by the three unfinished requests (k <= 9 each).
        var executed = run.Batches.Sum(b => (long)b.BatchSize);
        Assert.InRange(executed - run.Summary.WastedTokens, 0, 27);
        Assert.All(run.Records.Traces.Values, t => Assert.Equal(RequestStatus.Unfinished, t.Status));

        // LIFO evicts the newest, so the oldest always progresses: the same workload completes.
        var lifo = RecordedRun.Of(Pressure(VictimPolicy.Lifo, PreemptionMode.Recompute), ThreeEqual());
        Assert.Equal("completed", lifo.Summary.Outcome);
        Assert.Equal(30 + lifo.Summary.WastedTokens, lifo.Batches.Sum(b => (long)b.BatchSize));
        Assert.Equal(run.Summary.Preemptions, run.Batches.Sum(b => (long)b.Preempted));
    }

    [Fact]
    public void A_single_request_over_budget_runs_alone()
    {
        var run = RecordedRun.Of(Unit with { MTotal = 1000, B = 10 }, new Request(0, 0, 100, 2));
        Assert.Equal([101L, 102L], run.Batches.Select(b => b.BatchTokens));
        Assert.All(run.Batches, b => Assert.Equal(1, b.BatchSize));
    }

    [Fact]
    public void Batch_is_a_prefix_and_stops_at_the_first_request_that_does_not_fit()
    {
        // B=8: R0 joins (6); R1 (11) does not fit; R2 (1) would, but the batch is a prefix.
        var run = RecordedRun.Of(
            Unit with { MTotal = 1000, B = 8 },
            new Request(0, 0, 5, 1), new Request(1, 0, 10, 1), new Request(2, 0, 0, 1));
        Assert.Equal((1, 6L, 3), (run.Batches[0].BatchSize, run.Batches[0].BatchTokens, run.Batches[0].RunningCount));
        Assert.Equal(1.0, run.Trace(0).CompletionTime);
        // Then R1 alone (11 > B, first always joins), then R2.
        Assert.Equal((1, 11L), (run.Batches[1].BatchSize, run.Batches[1].BatchTokens));
        Assert.Equal(3.0, run.Trace(2).CompletionTime);
    }

    [Fact]
    public void Infeasible_requests_are_rejected_at_arrival()
    {
        var run = RecordedRun.Of(Unit with { MTotal = 10 }, new Request(0, 0, 5, 6), new Request(1, 0, 5, 5));
        Assert.Equal((2L, 1L, 1L, 0L), (run.Summary.NumRequests, run.Summary.Completed, run.Summary.Rejected, run.Summary.Unfinished));
        Assert.Equal("completed", run.Summary.Outcome);
        var rejected = run.Trace(0);
        Assert.Equal(RequestStatus.Rejected, rejected.Status);
        Assert.Null(rejected.FirstEnterRunningTime);
        Assert.Null(rejected.CompletionTime);
        Assert.Null(rejected.TotalDelay);
        Assert.Equal([EventType.Arrival, EventType.Reject], run.EventsOf(0).Select(e => e.EventType));
        Assert.Equal(0, run.Batches[0].WaitingCount);
    }

    [Fact]
    public void An_empty_node_jumps_to_the_next_arrival_without_counting_a_batch()
    {
        var run = RecordedRun.Of(Unit, new Request(0, 5, 0, 1), new Request(1, 10, 0, 1));
        Assert.Equal([5.0, 10.0], run.Batches.Select(b => b.Time));
        Assert.Equal([0L, 1L], run.Batches.Select(b => b.BatchId));
        Assert.Equal(11.0, run.Summary.Makespan);
        Assert.Equal(2L, run.Summary.Batches);
    }

    [Fact]
    public void Arrivals_are_seen_only_at_batch_boundaries()
    {
        var run = RecordedRun.Of(Unit, new Request(0, 0, 0, 2), new Request(1, 0.5, 0, 1));
        var r1 = run.Trace(1);
        Assert.Equal(1.0, r1.FirstEnterRunningTime);
        Assert.Equal(0.5, r1.WaitingTime);
        Assert.Equal(1.0, run.EventsOf(1).First(e => e.EventType == EventType.Arrival).Time);
        Assert.Equal(1, run.Batches[0].BatchSize);
        Assert.Equal(2, run.Batches[1].BatchSize);
    }

    [Fact]
    public void Swap_time_per_token_delays_the_batch_by_the_tokens_moved()
    {
        var p = Pressure(VictimPolicy.Fifo) with { SwapTimePerToken = 0.5 };
        var run = RecordedRun.Of(p, ThreeEqual());
        var plain = RecordedRun.Of(Pressure(VictimPolicy.Fifo), ThreeEqual());
        // Batch 3 swaps r0 out holding 2 + 3 = 5 tokens: 1 + 0 * tokens + 0.5 * 5.
        Assert.Equal(3.5, run.Batches[3].BatchDuration);
        Assert.Equal(1.0, plain.Batches[3].BatchDuration);
        foreach (var b in run.Batches)
        {
            var moved = run.Records.Events
                .Where(e => e.BatchId == b.BatchId && e.EventType is EventType.SwapIn or EventType.SwapOut)
                .Sum(e => e.MemoryBefore > e.MemoryAfter ? e.MemoryBefore - e.MemoryAfter : e.MemoryAfter - e.MemoryBefore);
            Assert.Equal(1.0 + 0.5 * moved, b.BatchDuration);
        }
        // Recompute mode moves nothing.
        var recompute = RecordedRun.Of(p with { Mode = PreemptionMode.Recompute }, ThreeEqual());
        Assert.All(recompute.Batches, b => Assert.Equal(1.0, b.BatchDuration));
    }

    [Fact]
    public void Queue_policies_order_admission()
    {
        // M=10 admits one of these at a time (prefill 7).
        Request[] requests = [new(0, 0, 7, 2, Priority: 5), new(1, 0, 7, 1, Priority: 1), new(2, 0, 7, 3, Priority: 0)];
        double? Done(QueuePolicy q, int id) => RecordedRun.Of(Unit with { MTotal = 10, QueuePolicy = q }, requests).Trace(id).CompletionTime;
        Assert.Equal([2.0, 3.0, 6.0], new[] { 0, 1, 2 }.Select(id => Done(QueuePolicy.Fcfs, id)));
        Assert.Equal([3.0, 1.0, 6.0], new[] { 0, 1, 2 }.Select(id => Done(QueuePolicy.Sjf, id)));
        Assert.Equal([6.0, 4.0, 3.0], new[] { 0, 1, 2 }.Select(id => Done(QueuePolicy.Priority, id)));
    }

    [Fact]
    public void L_filter_drops_long_requests_but_keeps_req_ids()
    {
        var run = RecordedRun.Of(Unit with { LFilter = 2 }, new Request(0, 0, 1, 3), new Request(1, 0, 1, 2));
        Assert.Equal(1L, run.Summary.NumRequests);
        Assert.Equal([1], run.Records.Traces.Keys);
    }

    [Fact]
    public void Stall_guard_stops_after_the_given_number_of_batches_without_completion()
    {
        var run = RecordedRun.Of(Unit with { StallBatches = 3 }, new Request(0, 0, 0, 10), new Request(1, 50, 0, 1));
        Assert.Equal("stalled", run.Summary.Outcome);
        Assert.Equal(3L, run.Summary.Batches);
        Assert.Equal(2L, run.Summary.Unfinished);
        Assert.Equal(RequestStatus.Unfinished, run.Trace(0).Status);
        Assert.Equal(1.0, run.Trace(0).FirstTokenTime);
        Assert.Null(run.Trace(0).CompletionTime);
        Assert.Equal(RequestStatus.Unfinished, run.Trace(1).Status);
    }

    [Fact]
    public void Events_record_memory_around_each_change()
    {
        var run = RecordedRun.Of(Unit, new Request(0, 0, 3, 2));
        Assert.Equal(
            [
                new SimulationEvent(0, 0, EventType.Arrival, 0, 0, 0, 0),
                new SimulationEvent(0, 0, EventType.Admit, 0, 0, 0, 3),
                new SimulationEvent(2, 1, EventType.Complete, 0, 2, 5, 0),
            ],
            run.Records.Events);
        Assert.Equal([3L, 4L], run.Batches.Select(b => b.GpuMemoryUsed));
        Assert.Equal([0L, 1L], run.Batches.Select(b => b.CompletedCount));
    }
}
