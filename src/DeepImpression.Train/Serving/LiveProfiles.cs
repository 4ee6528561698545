using DeepImpression.Core;
using Microsoft.Extensions.Logging;

namespace DeepImpression.Train.Serving;

/// <summary>
/// The profiles a running server compares with: read from the <see cref="ProfileStore"/> when it starts (a malformed
/// file stops the start with its message), re-read when a file changes (<c>profile add</c> while the server runs),
/// and kept as they were when a changed file is malformed, with a warning in the log.
/// </summary>
internal sealed class LiveProfiles
{
    private readonly ProfileStore _store;
    private readonly ILogger _log;
    private readonly Lock _lock = new();
    private (DateTime Jobs, DateTime People) _stamps;
    private (IReadOnlyList<TraitProfile> Jobs, IReadOnlyList<TraitProfile> People) _current;

    /// <summary>Reads both kinds now; throws <see cref="InvalidInputException"/> when a file is malformed.</summary>
    public LiveProfiles(ProfileStore store, ILogger log)
    {
        _store = store;
        _log = log;
        _stamps = Stamps();
        _current = (store.Load(ProfileKind.Job), store.Load(ProfileKind.Person));
    }

    /// <summary>The job profiles and reference people as of now.</summary>
    public (IReadOnlyList<TraitProfile> Jobs, IReadOnlyList<TraitProfile> People) Current
    {
        get
        {
            lock (_lock)
            {
                var stamps = Stamps();
                if (stamps == _stamps) return _current;
                _stamps = stamps;
                try
                {
                    _current = (_store.Load(ProfileKind.Job), _store.Load(ProfileKind.Person));
                    _log.LogInformation("profiles reloaded from {ProfilesDirectory}: {Jobs} jobs, {People} people", _store.Directory, _current.Jobs.Count, _current.People.Count);
                }
                catch (Exception e) when (e is InvalidInputException or IOException)
                {
                    _log.LogWarning("profiles not reloaded, keeping the previous ones: {Problem}", e.Message);
                }
                return _current;
            }
        }
    }

    private (DateTime, DateTime) Stamps() =>
        (File.GetLastWriteTimeUtc(_store.PathOf(ProfileKind.Job)), File.GetLastWriteTimeUtc(_store.PathOf(ProfileKind.Person)));
}
