namespace FedTrust.Core.Updates;

/// <summary>
/// One item on its way through a defense's stages, standing for one client's <see cref="RoundUpdate"/> or for a bucket of
/// them: its id (a client's, or a bucket's), whose client updates it holds, its values, and its weight in a weighted mean
/// (samples, or trust × samples under trust; a merged item adds its members' weights).
/// </summary>
public sealed record StageUpdate(string Id, IReadOnlyList<string> Members, float[] Delta, double Weight)
{
    /// <summary>One client's update as a stage item of its own, weighing <paramref name="weight"/>.</summary>
    public static StageUpdate Of(string clientId, float[] delta, double weight) => new(clientId, [clientId], delta, weight);
}
