using FedTrust.Core.Settings;

namespace FedTrust.Core.Data;

/// <summary>The catalogue entry a run's data settings name (kept here so that the settings stay plain data).</summary>
public static class DatasetChoice
{
    extension(DataSettings data)
    {
        /// <summary>The data set the run trains and tests on (<c>fedtrust.dataset</c>).</summary>
        /// <exception cref="KeyNotFoundException">The name is not in <see cref="DatasetCatalog"/>.</exception>
        public DatasetSpec Dataset => DatasetCatalog.Find(data.DatasetName);
    }
}
