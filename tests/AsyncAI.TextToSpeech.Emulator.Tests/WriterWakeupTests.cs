namespace AsyncAI.TextToSpeech.Emulator.Tests;

public sealed class WriterWakeupTests
{
    [Fact]
    public async Task SignalBeforeWait_IsRemembered_AndTheWaitCompletesSynchronously()
    {
        using var wakeup = new WriterWakeup(CancellationToken.None);
        wakeup.Signal();

        var wait = wakeup.WaitAsync(Timeout.Infinite);

        Assert.True(wait.IsCompletedSuccessfully);
        Assert.True(await wait);
        Assert.False(wakeup.WokeInline);
    }

    [Fact]
    public async Task SignalWhileWaiting_ResumesTheWaiterOnTheSignallingThread()
    {
        using var wakeup = new WriterWakeup(CancellationToken.None);
        var resumedOn = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiter = WaitAndReportThreadAsync(wakeup, resumedOn);
        Assert.False(waiter.IsCompleted);

        var signalled = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var signaller = new Thread(() =>
        {
            signalled.SetResult(Environment.CurrentManagedThreadId);
            wakeup.Signal();
        });
        signaller.Start();

        Assert.Equal(await signalled.Task, await resumedOn.Task);

        // Joined before awaiting the waiter: the waiter completes on the signalling thread (that is the point), so a
        // continuation registered on it runs there, and a Join after it joined the thread to itself, a hang seen once
        // with the tests pinned to one core (the test resumed between resumedOn and the waiter's completion).
        signaller.Join();
        Assert.True(await waiter);
    }

    [Fact]
    public async Task Timeout_CompletesTheWaitWithFalse()
    {
        using var wakeup = new WriterWakeup(CancellationToken.None);

        var signalled = await wakeup.WaitAsync(10);

        Assert.False(signalled);
        Assert.True(wakeup.WokeInline);
    }

    [Fact]
    public async Task Stopping_FailsThePendingWait_AndEveryLaterOne()
    {
        using var stopping = new CancellationTokenSource();
        using var wakeup = new WriterWakeup(stopping.Token);
        var wait = wakeup.WaitAsync(Timeout.Infinite);
        Assert.False(wait.IsCompleted);

        await stopping.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await wait);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await wakeup.WaitAsync(Timeout.Infinite));
    }

    [Fact]
    public async Task ManySignalsFromManyThreads_NeverLoseTheLastOne()
    {
        // Each round: the waiter must wake at least once after the round's last signal (a lost wake-up would hang).
        using var wakeup = new WriterWakeup(CancellationToken.None);
        var round = 0;
        var seen = 0;
        var writer = Task.Run(async () =>
        {
            while (Volatile.Read(ref seen) < 2_000)
            {
                await wakeup.WaitAsync(Timeout.Infinite);
                Volatile.Write(ref seen, Volatile.Read(ref round));
            }
        });

        for (var i = 1; i <= 2_000; i++)
        {
            Volatile.Write(ref round, i);
            await Task.WhenAll(Task.Run(wakeup.Signal), Task.Run(wakeup.Signal));
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (Volatile.Read(ref seen) < i)
            {
                Assert.True(DateTime.UtcNow < deadline, $"round {i}: the writer never woke after the last signal");
                await Task.Yield();
            }
        }

        await writer.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2_000, Volatile.Read(ref seen));
    }

    private static async Task<bool> WaitAndReportThreadAsync(WriterWakeup wakeup, TaskCompletionSource<int> resumedOn)
    {
        // No scheduling context (as in Kestrel): xunit's would otherwise take the continuation.
        var signalled = await wakeup.WaitAsync(Timeout.Infinite).ConfigureAwait(false);
        resumedOn.SetResult(Environment.CurrentManagedThreadId);
        return signalled;
    }
}
