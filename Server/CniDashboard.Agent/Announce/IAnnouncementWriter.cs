namespace CniDashboard.Agent.Announce;

/// <summary>Writes a manifest hash where the dashboard's watch sees it (the agent's own Pod annotation).</summary>
public interface IAnnouncementWriter
{
    /// <summary>
    /// Announces <paramref name="manifestHash"/>. Throws <see cref="AnnouncementException"/> when the
    /// API server refuses or cannot be reached; its message never carries a token.
    /// </summary>
    Task WriteAsync(string manifestHash, CancellationToken cancellationToken);
}

/// <summary>An announcement that did not reach the API server or was refused; the message is safe to log.</summary>
public sealed class AnnouncementException(string message, Exception? inner = null) : Exception(message, inner);
