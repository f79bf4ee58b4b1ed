using Microsoft.AspNetCore.Http;

namespace CniDashboard.Simulator.Faults;

/// <summary>Where a held request stops.</summary>
public enum HoldStage
{
    /// <summary>Before the server handles it: its effect has not happened.</summary>
    BeforeHandling,

    /// <summary>After the server handled it (its effect happened) but before the answer leaves: the caller does not know.</summary>
    BeforeAnswering,
}

/// <summary>
/// Holds the next request that matches, on the API emulator or the simulated agents, so a test can
/// crash the caller at an exact point: before the server acts on the request, or after it acted but
/// before the caller hears so. Each hold catches one request and is then spent.
/// </summary>
public sealed class RequestHolds
{
    private readonly Lock _gate = new();
    private readonly List<HeldRequest> _armed = [];

    /// <summary>
    /// Arms a hold for the next request that <paramref name="match"/> accepts (method, path, headers,
    /// the address it came to), stopping it at <paramref name="stage"/> until <see cref="HeldRequest.Release"/>
    /// (or until its caller hangs up).
    /// </summary>
    public HeldRequest Hold(Func<HttpRequest, bool> match, HoldStage stage)
    {
        ArgumentNullException.ThrowIfNull(match);
        var held = new HeldRequest(match, stage, Disarm);
        lock (_gate)
        {
            _armed.Add(held);
        }

        return held;
    }

    /// <summary>The middleware: holds a matching request where its hold says.</summary>
    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var path = $"{context.Request.Method} {context.Request.Path.Value}";
        var held = Take(context.Request);
        if (held is null)
        {
            await next().ConfigureAwait(false);
            return;
        }

        if (held.Stage == HoldStage.BeforeHandling)
        {
            // A caller killed meanwhile never reaches the server.
            if (await held.StopAsync(path, context.RequestAborted).ConfigureAwait(false))
            {
                await next().ConfigureAwait(false);
            }

            return;
        }

        // Handle it into a buffer; the caller hears nothing until the hold ends.
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next().ConfigureAwait(false);
        }
        finally
        {
            context.Response.Body = original;
        }

        if (!await held.StopAsync(path, context.RequestAborted).ConfigureAwait(false))
        {
            return; // the caller hung up: the effect happened, nobody hears of it
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(original, context.RequestAborted).ConfigureAwait(false);
    }

    private HeldRequest? Take(HttpRequest request)
    {
        lock (_gate)
        {
            var held = _armed.FirstOrDefault(h => h.Matches(request));
            if (held is not null)
            {
                _armed.Remove(held);
            }

            return held;
        }
    }

    private void Disarm(HeldRequest held)
    {
        lock (_gate)
        {
            _armed.Remove(held);
        }
    }
}

/// <summary>One armed hold (see <see cref="RequestHolds.Hold"/>).</summary>
public sealed class HeldRequest : IDisposable
{
    private readonly TaskCompletionSource<string> _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Func<HttpRequest, bool> _match;
    private readonly Action<HeldRequest> _disarm;

    internal HeldRequest(Func<HttpRequest, bool> match, HoldStage stage, Action<HeldRequest> disarm)
    {
        _match = match;
        Stage = stage;
        _disarm = disarm;
    }

    /// <summary>Where it stops the request.</summary>
    public HoldStage Stage { get; }

    /// <summary>Completes with the request's method and path once a request is held.</summary>
    public Task<string> Reached => _reached.Task;

    /// <summary>Lets the held request go on (or, not yet reached, lets the next one through).</summary>
    public void Release()
    {
        _disarm(this);
        _released.TrySetResult();
    }

    /// <summary>Releases it.</summary>
    public void Dispose() => Release();

    internal bool Matches(HttpRequest request) => _match(request);

    /// <summary>Waits for the release; false when the caller hung up first.</summary>
    internal async Task<bool> StopAsync(string path, CancellationToken aborted)
    {
        _reached.TrySetResult(path);
        try
        {
            await _released.Task.WaitAsync(aborted).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            return false;
        }
    }
}
