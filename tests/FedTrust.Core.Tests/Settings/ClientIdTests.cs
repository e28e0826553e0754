using FedTrust.Core.Settings;

namespace FedTrust.Core.Tests.Settings;

/// <summary>A client's id and its index: ClientIndex reads back exactly the ids ClientId writes, and nothing else.</summary>
public class ClientIdTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(999)]
    [InlineData(int.MaxValue)]
    public void The_index_of_a_written_id_is_the_index_it_was_written_from(int index) =>
        Assert.Equal(index, ExperimentSettings.ClientIndex(ExperimentSettings.ClientId(index)));

    [Theory]
    [InlineData("client-01")] // another spelling of client-1: two ids must not share a shard or a client
    [InlineData("client-+1")]
    [InlineData("client--1")]
    [InlineData("client- 1")]
    [InlineData("client-")]
    [InlineData("Client-1")]
    [InlineData("worker-1")]
    [InlineData("client-2147483648")]
    public void An_id_ClientId_never_writes_has_no_index(string id) => Assert.Null(ExperimentSettings.ClientIndex(id));
}
